"""Linear, quadratic, rational and absolute-value inequalities, answered in interval notation."""
import sympy as sp

from .steps import Decline, step, tex
from . import answer

FLIP = {'<': '>', '>': '<', '<=': '>=', '>=': '<='}
SYMPY_OP = {'<': sp.Lt, '<=': sp.Le, '>': sp.Gt, '>=': sp.Ge}
OP_TEX = {'<': '<', '<=': r'\le', '>': '>', '>=': r'\ge'}


def _linear(lhs, op, rhs, var, steps):
    e = sp.expand(lhs - rhs)
    a, b = e.coeff(var, 1), e.coeff(var, 0)
    steps.append(step('collect-terms', f'Collect the terms with ${tex(var)}$ on the left and the numbers on the right.', f'{tex(a * var)} {OP_TEX[op]} {sp.latex(-b)}'))
    if a < 0:
        op = FLIP[op]
        steps.append(step('divide-negative', f'Divide both sides by ${sp.latex(a)}$; dividing by a negative number reverses the inequality.', f'{tex(var)} {OP_TEX[op]} {sp.latex(-b / a)}'))
    elif a != 1:
        steps.append(step('divide-both-sides', f'Divide both sides by ${sp.latex(a)}$.', f'{tex(var)} {OP_TEX[op]} {sp.latex(-b / a)}'))


def _sign_chart(expr, op, var, steps):
    """Critical points, then the sign of expr on each interval between them."""
    num, den = sp.fraction(sp.factor(sp.together(expr)))
    points = sorted({r for f in (num, den) for r in sp.solve(f, var) if r.is_real}, key=float)
    steps.append(step('critical-points', 'The critical points, where the expression is zero or undefined: ' + (', '.join(f'${sp.latex(p)}$' for p in points) or 'none') + '.',
                      ', '.join(f'{tex(var)} = {sp.latex(p)}' for p in points) or r'\text{none}'))
    edges = [-sp.oo] + points + [sp.oo]
    subs = []
    for lo, hi in zip(edges, edges[1:]):
        if lo == -sp.oo and hi == sp.oo:
            t = sp.Integer(0)
        elif lo == -sp.oo:
            t = sp.floor(hi) - 1
        elif hi == sp.oo:
            t = sp.ceiling(lo) + 1
        else:
            t = (lo + hi) / 2
        v = sp.simplify(expr.subs(var, t))
        sign = 'positive' if v > 0 else 'negative'
        subs.append(step('test-point', f'On $({sp.latex(lo)}, {sp.latex(hi)})$ try ${tex(var)} = {sp.latex(t)}$: the expression is {sign}.', f'{sp.latex(v)}'))
    steps.append(step('sign-chart', 'Test one point in each interval between the critical points.', r'\text{sign chart}', subs))


def solve(relations, var):
    steps = []
    if len(relations) == 2 and relations[0].rhs == relations[1].lhs:  # a < f(x) < b
        r1, r2 = relations
        steps.append(step('compound', 'A compound inequality: both parts must hold.', f'{r1.latex()} \\text{{ and }} {r2.latex()}'))
        cond = sp.And(SYMPY_OP[r1.op](r1.lhs, r1.rhs), SYMPY_OP[r2.op](r2.lhs, r2.rhs))
        exprs = [(r1.lhs, r1.op, r1.rhs), (r2.lhs, r2.op, r2.rhs)]
    elif len(relations) == 1:
        r = relations[0]
        if r.op == '!=':
            raise Decline('a "not equal" relation')
        cond = SYMPY_OP[r.op](r.lhs, r.rhs)
        exprs = [(r.lhs, r.op, r.rhs)]
    else:
        raise Decline('several inequalities')
    for lhs, op, rhs in exprs:
        whole = sp.Add(lhs, -rhs)
        if any(isinstance(s, (sp.sin, sp.cos, sp.tan, sp.log, sp.exp)) for s in sp.preorder_traversal(whole)) or any(s.is_Pow and s.exp.has(var) for s in sp.preorder_traversal(whole)):
            raise Decline('an inequality with functions the rules do not cover')
        if any(s.is_Pow and s.exp.is_Rational and not s.exp.is_Integer for s in sp.preorder_traversal(whole)):
            raise Decline('an inequality with roots')
        absval = [s for s in sp.preorder_traversal(whole) if isinstance(s, sp.Abs)]
        if absval:
            if len(absval) > 1:
                raise Decline('several absolute values in an inequality')
            a = absval[0]
            rest = sp.expand(rhs - (lhs - a)) if sp.expand(lhs - a).free_symbols <= {var} and not sp.expand(lhs - a).has(sp.Abs) else None
            if rest is None or rest.has(var):
                raise Decline('an absolute-value inequality the rules cannot split')
            inner = a.args[0]
            if op in ('<', '<='):
                steps.append(step('absolute-less', f'$|A| {OP_TEX[op]} b$ means $-b {OP_TEX[op]} A {OP_TEX[op]} b$.', f'{sp.latex(-rest)} {OP_TEX[op]} {tex(inner)} {OP_TEX[op]} {sp.latex(rest)}'))
            else:
                steps.append(step('absolute-greater', f'$|A| {OP_TEX[op]} b$ means $A {OP_TEX[FLIP[op]]} -b$ or $A {OP_TEX[op]} b$.', f'{tex(inner)} {OP_TEX[FLIP[op]]} {sp.latex(-rest)} \\text{{ or }} {tex(inner)} {OP_TEX[op]} {sp.latex(rest)}'))
            if sp.Poly(inner, var).degree() == 1:
                continue
            _sign_chart(sp.expand(whole), op, var, steps)
            continue
        e = sp.together(sp.expand(whole))
        num, den = sp.fraction(e)
        if den.has(var) or sp.Poly(num, var).degree() > 1:
            steps.append(step('standard-form', 'Move everything to one side.', f'{tex(sp.factor(e))} {OP_TEX[op]} 0'))
            _sign_chart(e, op, var, steps)
        else:
            _linear(lhs, op, rhs, var, steps)
    try:
        solution = sp.solve_univariate_inequality(cond, var, relational=False) if not isinstance(cond, sp.And) else \
            sp.Intersection(*[sp.solve_univariate_inequality(c, var, relational=False) for c in cond.args])
    except (NotImplementedError, ValueError):
        raise Decline('the inequality could not be finished')
    try:
        text = answer.interval_set(solution)
    except ValueError:
        raise Decline('the solution set is not a union of intervals')
    if solution is sp.S.EmptySet:
        steps.append(step('solution-set', 'No number satisfies the inequality: there is no solution.', r'\emptyset'))
        return steps, text, 'No real number satisfies the inequality.'
    steps.append(step('solution-set', 'Keep the intervals where the inequality holds (with the endpoints where it allows equality).', text))
    return steps, text, None
