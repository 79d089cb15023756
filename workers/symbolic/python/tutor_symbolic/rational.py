"""Rational equations: state the restrictions, multiply by the common denominator, solve, reject extraneous roots."""
import sympy as sp

from .steps import Decline, step, tex
from . import check
from .equations import poly_roots


def solve(relation, var):
    steps = []
    dens = set()
    for side in (relation.lhs, relation.rhs):
        for s in sp.preorder_traversal(side):
            if s.is_Pow and s.exp.is_negative and s.base.has(var):
                dens.add(sp.factor(s.base ** -s.exp))
    excluded = sorted({r for d in dens for r in sp.solve(d, var) if r.is_real}, key=float)
    if excluded:
        steps.append(step('domain', 'A denominator cannot be zero: ' + ', '.join(f'${tex(var)} \\ne {sp.latex(r)}$' for r in excluded) + '.',
                          ', '.join(f'{tex(var)} \\ne {sp.latex(r)}' for r in excluded)))
    together = sp.together(sp.expand(relation.lhs - relation.rhs))
    lcd = sp.factor(sp.fraction(sp.together(sp.Add(*[sp.Pow(d, -1) for d in dens])))[1]) if dens else 1
    if lcd == 1:
        raise Decline('no denominator to clear')
    left = sp.expand(sp.cancel(relation.lhs * lcd))
    right = sp.expand(sp.cancel(relation.rhs * lcd))
    if sp.denom(sp.together(left)).has(var) or sp.denom(sp.together(right)).has(var):
        raise Decline('the common denominator does not clear every fraction')
    steps.append(step('multiply-by-denominator', f'Multiply both sides by the common denominator ${sp.latex(lcd)}$ (not zero, by the restrictions).', f'{tex(left)} = {tex(right)}'))
    sub = []
    roots, special = poly_roots(left, right, var, sub)
    steps.append(step('solve-polynomial', 'Solve the equation without fractions.', ', '.join(f'{tex(var)} = {sp.latex(r)}' for r in roots) or r'\text{no solution}', sub))
    if special == 'all':
        raise Decline('every allowed value solves it')
    chk, kept = check.check_solutions(relation, var, roots)
    steps.append(chk)
    return steps, kept, (special if special and special != 'none' else None)
