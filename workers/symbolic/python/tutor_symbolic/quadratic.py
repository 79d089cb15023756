"""Quadratic equations: standard form, then factoring, the quadratic formula or completing the square."""
import sympy as sp

from .steps import Decline, step, tex
from . import check


def standard_form(lhs, rhs, var, steps):
    poly = sp.expand(lhs - rhs)
    if sp.expand(rhs) != 0 or sp.expand(lhs) != lhs:
        steps.append(step('standard-form', 'Move every term to the left side and combine like terms.', f'{tex(sp.Poly(poly, var).as_expr())} = 0'))
    return sp.Poly(poly, var)


def roots_of(poly, var, steps, method=None):
    """Steps that find the real roots of a quadratic; returns (roots, complex_roots)."""
    a, b, c = poly.all_coeffs()
    if not all(k.is_Rational for k in (a, b, c)):
        raise Decline('a quadratic with coefficients that are not numbers')
    disc = b * b - 4 * a * c
    factored = sp.factor(poly.as_expr())
    factors = [f for f in sp.Mul.make_args(factored) if f.has(var)]
    can_factor = disc >= 0 and sp.sqrt(disc).is_Rational
    method = method or ('factoring' if can_factor else 'formula')
    if method == 'factoring' and not can_factor:
        method = 'formula'
    if method == 'factoring':
        if c == 0:
            text = f'Take out the common factor ${tex(var)}$.'
        elif a == 1:
            r1, r2 = sorted(sp.roots(poly.as_expr(), var).keys() if len(sp.roots(poly.as_expr(), var)) == 2 else list(sp.roots(poly.as_expr(), var).keys()) * 2)
            text = f'Find two numbers that multiply to ${sp.latex(c)}$ and add to ${sp.latex(b)}$: ${sp.latex(-r1)}$ and ${sp.latex(-r2)}$.'
        else:
            text = f'Factor the trinomial (split the middle term: $a c = {sp.latex(a * c)}$).'
        steps.append(step('factor', text, f'{sp.latex(factored)} = 0'))
        roots = []
        subs = []
        for f in factors:
            base = f.base if f.is_Pow else f
            r = sp.solve(base, var)
            subs.append(step('solve-factor', f'${tex(base)} = 0$ gives ${tex(var)} = {sp.latex(r[0])}$.', f'{tex(var)} = {sp.latex(r[0])}'))
            roots.extend(r)
        steps.append(step('zero-product', 'A product is zero when one of its factors is zero.', ', '.join(f'{tex(var)} = {sp.latex(r)}' for r in sorted(set(roots))), subs))
        return sorted(set(roots)), []
    if method == 'square':
        h = b / (2 * a)
        k = c / a - h ** 2
        subs = [step('divide-both-sides', f'Divide by ${sp.latex(a)}$.', f'{tex(sp.expand(poly.as_expr() / a))} = 0')] if a != 1 else []
        subs.append(step('add-square', f'Add and subtract $({sp.latex(h)})^2$ to complete the square.', f'({tex(var)} + {sp.latex(h)})^2 = {sp.latex(-k)}'))
        steps.append(step('complete-square', 'Complete the square.', f'\\left({tex(var + h)}\\right)^2 = {sp.latex(-k)}', subs))
        if -k < 0:
            cr = [-h + sp.sqrt(-k), -h - sp.sqrt(-k)]
            steps.append(step('negative-square', 'A square cannot be negative: there are no real solutions.', r'\text{no real solution}'))
            return [], cr
        roots = sorted({sp.nsimplify(-h - sp.sqrt(-k)), sp.nsimplify(-h + sp.sqrt(-k))}, key=float)
        steps.append(step('square-root-both-sides', 'Take the square root of both sides (plus or minus).', f'{tex(var + h)} = \\pm {sp.latex(sp.sqrt(-k))}'))
        steps.append(step('isolate', f'Solve for ${tex(var)}$.', ', '.join(f'{tex(var)} = {sp.latex(r)}' for r in roots)))
        return roots, []
    subs = [step('discriminant', f'The discriminant is $b^2 - 4ac = ({sp.latex(b)})^2 - 4({sp.latex(a)})({sp.latex(c)}) = {sp.latex(disc)}$.', f'\\Delta = {sp.latex(disc)}')]
    formula = f'{tex(var)} = \\frac{{-({sp.latex(b)}) \\pm \\sqrt{{{sp.latex(disc)}}}}}{{2 \\cdot {sp.latex(a)}}}'
    if disc < 0:
        cr = [sp.simplify((-b + sp.sqrt(disc)) / (2 * a)), sp.simplify((-b - sp.sqrt(disc)) / (2 * a))]
        steps.append(step('quadratic-formula', 'Use the quadratic formula; the discriminant is negative, so there is no real solution.', formula, subs))
        return [], cr
    roots = sorted({sp.radsimp((-b - sp.sqrt(disc)) / (2 * a)), sp.radsimp((-b + sp.sqrt(disc)) / (2 * a))}, key=float)
    subs.append(step('simplify', 'Simplify.', ', '.join(f'{tex(var)} = {sp.latex(r)}' for r in roots)))
    steps.append(step('quadratic-formula', 'Use the quadratic formula $x = \\frac{-b \\pm \\sqrt{b^2 - 4ac}}{2a}$.', formula, subs))
    return roots, []


def solve(relation, var, method=None):
    steps = []
    poly = standard_form(relation.lhs, relation.rhs, var, steps)
    if poly.degree() != 2:
        raise Decline('not quadratic')
    roots, complex_roots = roots_of(poly, var, steps, method)
    if not roots:
        return steps, [], ('complex', complex_roots)
    chk, kept = check.check_solutions(relation, var, roots)
    steps.append(chk)
    return steps, kept, None
