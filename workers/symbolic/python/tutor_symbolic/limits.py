"""Limits: direct substitution, factoring away 0/0, L'Hopital's rule, dividing by the highest power at infinity."""
import sympy as sp

from .steps import Decline, step, tex


def solve(f, x, a):
    f = sp.sympify(f)
    L = f'\\lim_{{{tex(x)} \\to {sp.latex(a)}}} {tex(f)}'
    steps = [step('read', f'Find the limit as ${tex(x)}$ approaches ${sp.latex(a)}$.', L)]
    truth = sp.limit(f, x, a)
    if truth.has(sp.Limit) or isinstance(truth, sp.AccumBounds):
        raise Decline('the limit does not settle')
    num, den = sp.fraction(sp.together(f))
    if a in (sp.oo, -sp.oo):
        if not (num.is_polynomial(x) and den.is_polynomial(x)):
            raise Decline('a limit at infinity that is not a ratio of polynomials')
        n = max(sp.degree(num, x), sp.degree(den, x))
        steps.append(step('divide-highest-power', f'Divide the numerator and the denominator by ${tex(x ** n)}$, the highest power; terms with ${tex(x)}$ in a denominator go to 0.', f'{L} = {sp.latex(truth)}'))
        return steps, truth
    at = sp.simplify(f.subs(x, a))
    if at.is_finite and not at.has(sp.nan, sp.zoo) and sp.simplify(den.subs(x, a)) != 0:
        steps.append(step('direct-substitution', f'The function is continuous at ${sp.latex(a)}$: substitute ${tex(x)} = {sp.latex(a)}$.', f'{L} = {sp.latex(at)}'))
        if sp.simplify(at - truth) != 0:
            raise Decline('substitution and the limit disagree')
        return steps, at
    n0, d0 = sp.simplify(num.subs(x, a)), sp.simplify(den.subs(x, a))
    if d0 == 0 and n0 != 0:
        raise Decline('the limit is infinite or one-sided')
    steps.append(step('indeterminate', f'Substituting ${tex(x)} = {sp.latex(a)}$ gives $\\frac{{0}}{{0}}$, an indeterminate form.', r'\frac{0}{0}'))
    if num.is_polynomial(x) and den.is_polynomial(x):
        cancelled = sp.cancel(f)
        steps.append(step('factor-and-cancel', f'Factor and cancel the common factor ${tex(x - a)}$.', f'\\frac{{{sp.latex(sp.factor(num))}}}{{{sp.latex(sp.factor(den))}}} = {sp.latex(cancelled)}'))
        value = sp.simplify(cancelled.subs(x, a))
        steps.append(step('direct-substitution', f'Now substitute ${tex(x)} = {sp.latex(a)}$.', f'{L} = {sp.latex(value)}'))
    else:
        value = None
        for k in range(3):
            num, den = sp.diff(num, x), sp.diff(den, x)
            steps.append(step('lhopital', "L'Hopital's rule: differentiate the numerator and the denominator.", f'\\lim_{{{tex(x)} \\to {sp.latex(a)}}} \\frac{{{sp.latex(num)}}}{{{sp.latex(den)}}}'))
            n0, d0 = sp.simplify(num.subs(x, a)), sp.simplify(den.subs(x, a))
            if d0 != 0:
                value = sp.simplify(n0 / d0)
                steps.append(step('direct-substitution', f'Substitute ${tex(x)} = {sp.latex(a)}$.', f'{L} = {sp.latex(value)}'))
                break
            if n0 != 0:
                raise Decline('the limit is infinite')
        if value is None:
            raise Decline("L'Hopital's rule did not settle it in three steps")
    if sp.simplify(value - truth) != 0:
        raise Decline('the rule steps and the limit disagree')
    return steps, value
