"""Linear equations: clear fractions, expand, collect the variable on one side, divide."""
import sympy as sp

from .steps import Decline, step, tex
from . import check


def _denominator_lcm(expr):
    dens = [sp.fraction(sp.together(t))[1] for t in sp.Add.make_args(sp.expand(expr))]
    nums = [d for d in dens if d.is_Integer]
    return sp.ilcm(1, *nums) if nums else 1


def isolate(lhs, rhs, var, steps):
    """Steps that take a linear equation lhs = rhs to var = value; returns the value, or 'all'/'none'."""
    l, r = sp.expand(lhs), sp.expand(rhs)
    if sp.Poly(l - r, var).degree() > 1:
        raise Decline('not linear')
    m = sp.ilcm(_denominator_lcm(l), _denominator_lcm(r))
    if m != 1:
        l, r = sp.expand(l * m), sp.expand(r * m)
        steps.append(step('clear-fractions', f'Multiply both sides by {m}, the least common denominator, to clear the fractions.', sp.Eq(l, r, evaluate=False)))
    elif l != lhs or r != rhs:
        if not (sp.Eq(l, r, evaluate=False) == sp.Eq(lhs, rhs, evaluate=False)):
            steps.append(step('expand', 'Expand the brackets and combine like terms on each side.', f'{tex(l)} = {tex(r)}'))
    a = l.coeff(var, 1) - r.coeff(var, 1)
    b = r.coeff(var, 0) - l.coeff(var, 0)
    subs = []
    if r.coeff(var, 1) != 0:
        subs.append(step('subtract-term', f'Subtract ${tex(r.coeff(var, 1) * var)}$ from both sides.', f'{tex(l - r.coeff(var, 1) * var)} = {tex(r - r.coeff(var, 1) * var)}'))
    if l.coeff(var, 0) != 0:
        c = l.coeff(var, 0)
        subs.append(step('subtract-term', f'{"Subtract" if c > 0 else "Add"} ${tex(abs(c))}$ {"from" if c > 0 else "to"} both sides.', f'{tex(a * var)} = {tex(b)}'))
    if a == 0:
        steps.append(step('collect-terms', f'Move the terms with ${tex(var)}$ to the left: they cancel.', f'0 = {tex(b)}', subs))
        return 'all' if b == 0 else 'none'
    if subs:
        steps.append(step('collect-terms', f'Collect the terms with ${tex(var)}$ on the left and the numbers on the right.', f'{tex(a * var)} = {tex(b)}', subs))
    value = sp.Rational(b, a) if (a.is_Rational and b.is_Rational) else sp.simplify(b / a)
    if a != 1:
        steps.append(step('divide-both-sides', f'Divide both sides by ${tex(a)}$.', f'{tex(var)} = {sp.latex(value)}'))
    return value


def solve(relation, var):
    steps = []
    value = isolate(relation.lhs, relation.rhs, var, steps)
    if value == 'all':
        steps.append(step('identity', 'Both sides are always equal: every real number is a solution.', r'x \in \mathbb{R}'))
        return steps, [], 'all'
    if value == 'none':
        steps.append(step('contradiction', 'This can never be true: the equation has no solution.', r'\emptyset'))
        return steps, [], 'none'
    chk, kept = check.check_solutions(relation, var, [value])
    steps.append(chk)
    return steps, kept, None
