"""Equations in one unknown: pick the rule module by the equation's shape."""
import sympy as sp

from .steps import Decline
from . import linear, quadratic, polynomial


def has_abs(expr, var):
    return any(isinstance(s, sp.Abs) and s.has(var) for s in sp.preorder_traversal(expr))


def has_radical(expr, var):
    return any(s.is_Pow and s.exp.is_Rational and not s.exp.is_Integer and s.base.has(var) for s in sp.preorder_traversal(expr))


def has_exp_or_log(expr, var):
    return any((s.is_Pow and s.exp.has(var)) or (isinstance(s, (sp.exp, sp.log)) and s.has(var)) for s in sp.preorder_traversal(expr))


def has_var_denominator(expr, var):
    return any(s.is_Pow and s.exp.is_negative and s.base.has(var) for s in sp.preorder_traversal(expr))


def kind_of(relation, var):
    whole = sp.Add(relation.lhs, relation.rhs, evaluate=False)
    if any(isinstance(s, (sp.sin, sp.cos, sp.tan, sp.cot, sp.sec, sp.csc)) and s.has(var) for s in sp.preorder_traversal(whole)):
        raise Decline('trigonometric equations are not covered by the rules')
    if has_abs(whole, var):
        return 'absolute-value'
    if has_radical(whole, var):
        return 'radical'
    if has_exp_or_log(whole, var):
        return 'exponential'
    if has_var_denominator(whole, var):
        return 'rational'
    try:
        degree = sp.Poly(sp.expand(relation.lhs - relation.rhs), var).degree()
    except sp.PolynomialError:
        raise Decline('an equation of a kind the rules do not cover')
    if not all(c.is_Rational for c in sp.Poly(sp.expand(relation.lhs - relation.rhs), var).all_coeffs()):
        if degree > 1:
            raise Decline('a polynomial equation with coefficients that are not plain numbers')
    if degree <= 1:
        return 'linear'
    return 'quadratic' if degree == 2 else 'polynomial'


def poly_roots(lhs, rhs, var, steps):
    """Solve a polynomial equation lhs = rhs with steps; returns (roots, special)."""
    expr = sp.expand(lhs - rhs)
    degree = sp.Poly(expr, var).degree() if expr.has(var) else 0
    if degree <= 1:
        value = linear.isolate(lhs, rhs, var, steps)
        if value in ('all', 'none'):
            return [], value
        return [value], None
    poly = quadratic.standard_form(lhs, rhs, var, steps)
    if degree == 2:
        roots, cr = quadratic.roots_of(poly, var, steps)
    else:
        roots, cr = polynomial.roots_of(poly, var, steps)
    return roots, (('complex', cr) if not roots else None)
