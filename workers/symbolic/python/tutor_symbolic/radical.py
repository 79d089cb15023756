"""Radical equations: isolate the root, raise both sides to its power, solve, then check (squaring can add roots)."""
import sympy as sp

from .steps import Decline, step, tex
from . import check
from .equations import poly_roots, has_radical


def _radicals(expr, var):
    return [s for s in sp.preorder_traversal(expr) if s.is_Pow and s.exp.is_Rational and not s.exp.is_Integer and s.base.has(var)]


def _isolate_once(lhs, rhs, var, steps):
    """One radical alone on the left, raised to its power; returns the new (lhs, rhs)."""
    expr = sp.expand(lhs - rhs)
    terms = sp.Add.make_args(expr)
    rad_terms = [t for t in terms if has_radical(t, var)]
    if len(rad_terms) > 2:
        raise Decline('more than two radicals')
    target = rad_terms[0]
    rest = -sp.Add(*[t for t in terms if t is not target])
    coeff, rad = target.as_independent(var, as_Add=False)
    if not (rad.is_Pow and rad.exp.is_Rational and rad.exp.p == 1 and rad.exp.q in (2, 3)):
        raise Decline('a radical the rules cannot isolate')
    new_rhs = sp.expand(rest / coeff)
    if sp.expand(lhs) != target or sp.expand(rhs) != new_rhs:
        steps.append(step('isolate-radical', 'Get the root alone on one side.', f'{tex(rad)} = {tex(new_rhs)}'))
    n = rad.exp.q
    word = 'Square' if n == 2 else 'Cube'
    left, right = sp.expand(rad.base), sp.expand(new_rhs ** n)
    steps.append(step('square-both-sides' if n == 2 else 'cube-both-sides', f'{word} both sides.', f'{tex(left)} = {tex(right)}'))
    return left, right


def solve(relation, var):
    steps = []
    lhs, rhs = relation.lhs, relation.rhs
    for _ in range(3):
        if not has_radical(sp.Add(lhs, rhs, evaluate=False), var):
            break
        lhs, rhs = _isolate_once(lhs, rhs, var, steps)
    if has_radical(sp.Add(lhs, rhs, evaluate=False), var):
        raise Decline('the radicals do not clear')
    sub = []
    roots, special = poly_roots(lhs, rhs, var, sub)
    if special == 'all':
        raise Decline('the squared equation holds for every x')
    steps.append(step('solve-polynomial', 'Solve the equation without roots.', ', '.join(f'{tex(var)} = {sp.latex(r)}' for r in roots) or r'\text{no solution}', sub))
    chk, kept = check.check_solutions(relation, var, [r for r in roots if r.is_real])
    steps.append(chk)
    return steps, kept, None
