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


# ---- division of polynomials: "Find the quotient when $x^6 - 3$ is divided by $x + 1.$"

from .rules import rule  # noqa: E402
from .steps import Solution, step as _step, tex as _tex  # noqa: E402


@rule('polynomial-division', r'^(?:find|what is|compute|determine) the (?P<what>quotient|remainder) when (?P<a>⟦\d+⟧) is divided by (?P<b>⟦\d+⟧)$')
def polynomial_division(p):
    from .core import expression
    f, g = expression(p.segment('a')), expression(p.segment('b'))
    free = (f.free_symbols | g.free_symbols)
    if len(free) != 1:
        raise Decline('not polynomials in one letter')
    x = next(iter(free))
    f, g = f.doit(), g.doit()
    if not (f.is_polynomial(x) and g.is_polynomial(x)) or sp.degree(g, x) < 1:
        raise Decline('not a division of polynomials')
    q, r = sp.div(sp.Poly(f, x), sp.Poly(g, x))
    q, r = q.as_expr(), r.as_expr()
    if sp.expand(q * g + r - f) != 0:
        raise Decline('the division does not check')
    steps = [_step('long-division', f'Long division of ${_tex(f)}$ by ${_tex(g)}$: divide the leading terms, multiply back, subtract, repeat.', f'{sp.latex(f)} = ({sp.latex(g)})({sp.latex(q)}) + {sp.latex(r)}')]
    if sp.degree(g, x) == 1:
        root = sp.solve(g, x)[0]
        steps.append(_step('remainder-theorem', f'Check with the remainder theorem: the remainder is the value at ${_tex(x)} = {sp.latex(root)}$, ${sp.latex(f.subs(x, root))}$.', sp.latex(r)))
    result = q if p.groups['what'] == 'quotient' else r
    return Solution('polynomial-division', f'\\frac{{{sp.latex(f)}}}{{{sp.latex(g)}}}', steps, sp.latex(result))
