"""Polynomial equations of degree three and more: standard form, factor, then each factor."""
import sympy as sp

from .steps import Decline, step, tex
from . import check, quadratic


def roots_of(poly, var, steps):
    factored = sp.factor(poly.as_expr())
    factors = [f.base if f.is_Pow else f for f in sp.Mul.make_args(factored) if f.has(var)]
    if any(sp.Poly(f, var).degree() > 2 for f in factors):
        raise Decline('a factor of degree three or more that does not factor further')
    steps.append(step('factor', 'Factor the polynomial (common factors, then rational roots).', f'{sp.latex(factored)} = 0'))
    roots, complex_roots, subs = [], [], []
    for f in factors:
        p = sp.Poly(f, var)
        if p.degree() == 1:
            r = sp.solve(f, var)[0]
            subs.append(step('solve-factor', f'${tex(f)} = 0$ gives ${tex(var)} = {sp.latex(r)}$.', f'{tex(var)} = {sp.latex(r)}'))
            roots.append(r)
        else:
            inner = []
            rs, cr = quadratic.roots_of(p, var, inner)
            subs.append(step('solve-factor', f'Solve ${tex(f)} = 0$.', ', '.join(sp.latex(r) for r in rs) or r'\text{no real solution}', inner))
            roots.extend(rs)
            complex_roots.extend(cr)
    steps.append(step('zero-product', 'A product is zero when one of its factors is zero.', ', '.join(f'{tex(var)} = {sp.latex(r)}' for r in sorted(set(roots), key=float)), subs))
    return sorted(set(roots), key=float), complex_roots


def solve(relation, var):
    steps = []
    poly = quadratic.standard_form(relation.lhs, relation.rhs, var, steps)
    roots, complex_roots = roots_of(poly, var, steps)
    if not roots:
        return steps, [], ('complex', complex_roots)
    chk, kept = check.check_solutions(relation, var, roots)
    steps.append(chk)
    return steps, kept, None
