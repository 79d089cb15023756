"""Simplify, expand, factor and partial fractions."""
import sympy as sp

from .steps import Decline, step, tex


def _evaluated(expr):
    """The expression rebuilt with evaluation (the parser keeps the student's unevaluated form)."""
    return sp.sympify(sp.srepr(expr))


def expand(expr):
    steps = []
    terms = sp.Add.make_args(expr)
    subs = [step('distribute', f'Expand ${tex(t)}$.', sp.expand(t)) for t in terms if sp.expand(t) != t]
    result = sp.expand(_evaluated(expr))
    if subs:
        steps.append(step('distribute', 'Multiply out the brackets.', sp.Add(*[sp.expand(t) for t in terms], evaluate=False), subs))
    steps.append(step('combine-like-terms', 'Combine like terms.', result))
    return steps, result


def _factor_name(poly_expr, var):
    p = sp.Poly(poly_expr, *sorted(poly_expr.free_symbols, key=str))
    terms = len(p.terms())
    if terms == 2 and sp.factor(poly_expr) != poly_expr:
        return 'difference-of-squares' if all(sp.sqrt(abs(c)).is_Rational for c in p.coeffs()) else 'factor'
    if terms == 3:
        return 'factor-trinomial'
    if terms == 4:
        return 'factor-by-grouping'
    return 'factor'


def factor(expr):
    expr = sp.expand(_evaluated(expr))
    if expr.is_Integer:
        raise Decline('an integer (prime factorisation is another rule)')
    if not expr.is_polynomial():
        raise Decline('factoring something that is not a polynomial')
    steps = []
    gcf, rest = sp.factor_terms(expr).as_coeff_Mul() if False else (None, None)
    common = sp.factor_terms(expr)
    if common != expr:
        steps.append(step('common-factor', 'Take out the greatest common factor.', common))
    result = sp.factor(expr)
    if result != common:
        steps.append(step(_factor_name(expr, None), {
            'difference-of-squares': 'Use the difference of squares $a^2 - b^2 = (a - b)(a + b)$.',
            'factor-trinomial': 'Factor the trinomial (two numbers whose product and sum fit).',
            'factor-by-grouping': 'Group the terms in pairs and take out the common factor of each pair.',
        }.get(_factor_name(expr, None), 'Factor what is left.'), result))
    if not steps:
        steps.append(step('irreducible', 'It has no factors with rational coefficients.', result))
    return steps, result


def partial_fractions(expr, var):
    steps = []
    together = sp.factor(sp.together(expr))
    num, den = sp.fraction(together)
    steps.append(step('factor-denominator', 'Factor the denominator.', f'\\frac{{{sp.latex(num)}}}{{{sp.latex(den)}}}'))
    result = sp.apart(expr, var)
    steps.append(step('partial-fractions', 'Write one fraction for each factor of the denominator and match the numerators.', result))
    return steps, result


def simplify(expr):
    steps = []
    syms = expr.free_symbols
    if any(isinstance(s, (sp.sin, sp.cos, sp.tan, sp.sec, sp.csc, sp.cot)) for s in sp.preorder_traversal(expr)):
        raise Decline('trigonometric simplification is not covered by the rules')
    num, den = sp.fraction(sp.together(expr))
    if expr.is_polynomial(*syms) if syms else False:
        return expand(expr)
    value = sp.powsimp(sp.sympify(sp.srepr(expr)))
    if syms and value.is_Mul and all(a.is_Number or (a.is_Pow and a.base.is_Symbol and a.exp.is_Integer) or a.is_Symbol for a in value.args) or value.is_Pow and value.base.is_Symbol:
        # A monomial: numbers multiply and divide, powers of the same letter add and subtract their exponents.
        steps.append(step('laws-of-exponents', 'Multiply and divide the numbers; for each letter add the exponents of a product and subtract those of the divisor.', value))
        return steps, value
    if syms and den.has(*syms):
        fn, fd = sp.factor(num), sp.factor(den)
        steps.append(step('combine-fractions', 'Write it as one fraction and factor the top and the bottom.', f'\\frac{{{sp.latex(fn)}}}{{{sp.latex(fd)}}}'))
        result = sp.cancel(expr)
        if sp.factor(result) != result and sp.count_ops(sp.factor(result)) <= sp.count_ops(result):
            result = sp.factor(result)
        steps.append(step('cancel', 'Cancel the common factors.', result))
        return steps, result
    raise Decline('a simplification the rules do not explain')
