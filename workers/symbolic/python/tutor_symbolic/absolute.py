"""Absolute-value equations: isolate |A|, split into A = B and A = -B, check both."""
import sympy as sp

from .steps import Decline, step, tex
from . import check
from .equations import poly_roots


def solve(relation, var):
    steps = []
    expr = sp.expand(relation.lhs - relation.rhs)
    abs_terms = [t for t in sp.Add.make_args(expr) if any(isinstance(s, sp.Abs) for s in sp.preorder_traversal(t))]
    cases = []
    if len(abs_terms) == 1:
        coeff, a = abs_terms[0].as_independent(var, as_Add=False)
        if not isinstance(a, sp.Abs):
            raise Decline('an absolute value inside another expression')
        rest = sp.expand(-(expr - abs_terms[0]) / coeff)
        steps.append(step('isolate-absolute-value', 'Get the absolute value alone on one side.', f'{tex(a)} = {tex(rest)}'))
        if rest.is_number and rest < 0:
            steps.append(step('negative-absolute-value', 'An absolute value is never negative: there is no solution.', r'\emptyset'))
            return steps, [], 'none'
        inner = a.args[0]
        cases = [(inner, rest), (inner, -rest)]
    elif len(abs_terms) == 2 and sp.expand(expr - abs_terms[0] - abs_terms[1]) == 0:
        c1, a1 = abs_terms[0].as_independent(var, as_Add=False)
        c2, a2 = abs_terms[1].as_independent(var, as_Add=False)
        if not (isinstance(a1, sp.Abs) and isinstance(a2, sp.Abs) and c1 == -c2):
            raise Decline('absolute values with different coefficients')
        steps.append(step('isolate-absolute-value', 'Write it as one absolute value equal to another.', f'{tex(a1)} = {tex(a2)}'))
        cases = [(a1.args[0], a2.args[0]), (a1.args[0], -a2.args[0])]
    else:
        raise Decline('more absolute values than the rules split')
    candidates, subs = [], []
    for i, (l, r) in enumerate(cases):
        inner = []
        roots, special = poly_roots(l, r, var, inner)
        label = 'the inside equals the right side' if i == 0 else 'the inside equals its negative'
        subs.append(step('case', f'Case {i + 1}: {label}, ${tex(l)} = {tex(sp.expand(r))}$.', ', '.join(f'{tex(var)} = {sp.latex(x)}' for x in roots) or r'\text{no solution}', inner))
        if special == 'all':
            raise Decline('a case holds for every x')
        candidates.extend(roots)
    steps.append(step('split-cases', 'An absolute value equals a number when the inside is that number or its negative.', ', '.join(f'{tex(var)} = {sp.latex(x)}' for x in sorted(set(candidates), key=float)), subs))
    chk, kept = check.check_solutions(relation, var, sorted({c for c in candidates if c.is_real}, key=float))
    steps.append(chk)
    return steps, kept, None
