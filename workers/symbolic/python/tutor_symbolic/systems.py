"""Systems of two or three linear equations: elimination, then back-substitution."""
import sympy as sp

from .steps import Decline, step, tex
from . import answer


def solve(relations):
    variables = sorted(set().union(*[r.free_symbols() for r in relations]), key=lambda s: s.name)
    if len(variables) != len(relations) or len(variables) not in (2, 3):
        raise Decline('a system whose number of equations and unknowns differ')
    rows = []
    for r in relations:
        e = sp.expand(r.lhs - r.rhs)
        try:
            poly = sp.Poly(e, *variables)
        except sp.PolynomialError:
            raise Decline('a system that is not linear')
        if poly.total_degree() > 1:
            raise Decline('a system that is not linear')
        rows.append([e.coeff(v) for v in variables] + [-e.subs({v: 0 for v in variables})])
    eq = lambda row: f'{tex(sp.Add(*[c * v for c, v in zip(row[:-1], variables)]))} = {sp.latex(row[-1])}'
    steps = [step('standard-form', 'Write each equation with the unknowns on the left.', r' \\ '.join(eq(r) for r in rows))]
    n = len(variables)
    m = [list(r) for r in rows]
    for col in range(n):
        pivot = next((i for i in range(col, n) if m[i][col] != 0), None)
        if pivot is None:
            continue
        m[col], m[pivot] = m[pivot], m[col]
        subs = []
        for i in range(col + 1, n):
            if m[i][col] == 0:
                continue
            k = sp.Rational(m[i][col]) / m[col][col] if m[col][col].is_Rational else m[i][col] / m[col][col]
            m[i] = [sp.simplify(a - k * b) for a, b in zip(m[i], m[col])]
            subs.append(step('eliminate', f'Subtract ${sp.latex(k)}$ times equation {col + 1} from equation {i + 1} to remove ${tex(variables[col])}$.', eq(m[i])))
        if subs:
            steps.append(step('elimination', f'Eliminate ${tex(variables[col])}$ from the equations below equation {col + 1}.', r' \\ '.join(eq(r) for r in m), subs))
    if any(all(c == 0 for c in r[:-1]) for r in m):
        bad = next(r for r in m if all(c == 0 for c in r[:-1]))
        if bad[-1] != 0:
            steps.append(step('contradiction', 'An equation became $0 = ' + sp.latex(bad[-1]) + '$, which is false: the system has no solution.', r'\emptyset'))
            return steps, None, 'none'
        steps.append(step('dependent', 'An equation became $0 = 0$: the equations are dependent, so there are infinitely many solutions.', r'\infty'))
        return steps, None, 'all'
    values = {}
    subs = []
    for i in reversed(range(n)):
        rest = sum(m[i][j] * values[variables[j]] for j in range(i + 1, n))
        values[variables[i]] = sp.simplify((m[i][-1] - rest) / m[i][i])
        subs.append(step('back-substitute', f'Equation {i + 1} gives ${tex(variables[i])} = {sp.latex(values[variables[i]])}$.', f'{tex(variables[i])} = {sp.latex(values[variables[i]])}'))
    steps.append(step('back-substitution', 'Solve from the last equation up, substituting the values found.', ', '.join(f'{tex(v)} = {sp.latex(values[v])}' for v in variables), subs))
    checks = []
    for r in relations:
        l = sp.simplify(r.lhs.subs(values))
        rr = sp.simplify(r.rhs.subs(values))
        if sp.simplify(l - rr) != 0:
            raise Decline('the solution does not check')
        checks.append(step('substitute', f'${r.latex()}$: both sides equal ${sp.latex(l)}$.', f'{sp.latex(l)} = {sp.latex(rr)}'))
    steps.append(step('check', 'Check the solution in every original equation: it works.', answer.pair([values[v] for v in variables]), checks))
    return steps, [values[v] for v in variables], variables
