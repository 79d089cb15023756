"""Exponential and logarithmic equations: one base on both sides, or logarithms, then check."""
import sympy as sp

from .steps import Decline, step, tex
from . import check
from .equations import poly_roots


def _as_power(n):
    """n as (base, exponent) with the smallest base, for a positive rational n."""
    n = sp.nsimplify(n)
    if not n.is_Rational or n <= 0:
        return None
    if n == 1:
        return None
    for base in range(2, 101):
        for sign in (1, -1):
            e = sp.log(n, base)
            e = sp.nsimplify(sp.simplify(e))
            if e.is_Rational and sp.Integer(base) ** e == n:
                return sp.Integer(base), e
    return None


def _base_exponent(expr, var):
    """expr as base ** exponent with a numeric base; exponent may hold var."""
    if expr.is_Pow and expr.base.is_number:
        inner = _base_exponent(expr.base, var) if expr.base.is_Pow else None
        if inner:
            return inner[0], sp.expand(inner[1] * expr.exp)
        return expr.base, expr.exp
    if isinstance(expr, sp.exp):
        return sp.E, expr.args[0]
    if expr.is_number:
        return expr, sp.Integer(1)
    if expr.is_Mul:
        parts = [_base_exponent(a, var) for a in expr.args]
        if all(parts):
            return parts  # a product of powers
    return None


def _common_base(b):
    p = _as_power(b)
    return p if p else (b, 1)


def _isolate_power(relation, var, steps):
    """c \cdot a^{f} + d = e with one power holding the unknown: a^{f} = (e - d) / c first (10^x - 10 = 9990, 8 \cdot 3^x = 72)."""
    from .parse import Relation
    e = sp.powdenest(sp.expand(relation.lhs.doit() - relation.rhs.doit()), force=True)
    with_var = [t for t in sp.Add.make_args(e) if t.has(var)]
    if len(with_var) != 1:
        return relation
    coeff, power = with_var[0].as_independent(var, as_Mul=True)
    if not (power.is_Pow and power.base.is_number and power.base.is_positive) or coeff == 0:
        return relation
    value = sp.nsimplify(-(e - with_var[0]) / coeff)
    if (power.base, value) == (relation.lhs, relation.rhs) or tex(power) == tex(relation.lhs) and tex(value) == tex(relation.rhs):
        return relation
    steps.append(step('isolate-power', 'Move every other term to the right and divide by the coefficient: the power stands alone.', f'{tex(power)} = {sp.latex(value)}'))
    return Relation('=', power, value)


def _solve_exponential(relation, var, steps):
    relation = _isolate_power(relation, var, steps)
    sides = []
    for side in (relation.lhs, relation.rhs):
        be = _base_exponent(side, var)
        if be is None or isinstance(be, list):
            raise Decline('an exponential equation not of the form a^f = b^g')
        base, e = be
        if not base.is_number or not base.is_positive:
            raise Decline('a base that is not a positive number')
        cb, k = _common_base(sp.nsimplify(base)) if base != sp.E else (sp.E, 1)
        sides.append((cb, sp.expand(k * e)))
    (b1, e1), (b2, e2) = sides
    if b1 == b2 or b2 == 1 or b1 == 1:
        base = b1 if b1 != 1 else b2
        steps.append(step('same-base', f'Write both sides as powers of ${sp.latex(base)}$.', f'{sp.latex(base)}^{{{tex(e1)}}} = {sp.latex(base)}^{{{tex(e2)}}}'))
        steps.append(step('equate-exponents', 'Equal powers of the same base have equal exponents.', f'{tex(e1)} = {tex(e2)}'))
        return e1, e2
    if not e2.has(var) and b2 != sp.E:
        value = sp.Pow(b2, e2)
        rhs = sp.log(value, b1)
        steps.append(step('take-log', f'Take the logarithm base ${sp.latex(b1)}$ of both sides.', f'{tex(e1)} = {sp.latex(rhs)}'))
        return e1, rhs
    raise Decline('different bases on both sides')


def _log_parts(expr, var):
    """expr as a sum of c*log_b(f): returns (base, argument) after the product rule, or None."""
    terms = sp.Add.make_args(expr)
    base, args = None, []
    for t in terms:
        c, l = t.as_independent(var, as_Add=False)
        if not isinstance(l, sp.log) or c != 1:
            return None
        arg = l.args[0]
        b = l.args[1] if len(l.args) > 1 else sp.E
        if base is not None and b != base:
            return None
        base = b
        args.append(arg)
    return base, args


def _solve_log(relation, var, steps):
    lhs, rhs = relation.lhs, relation.rhs
    if rhs.has(var):
        lhs, rhs = sp.Add(lhs, -rhs, evaluate=False), 0
    parts = _log_parts(sp.expand_log(lhs, force=False) if False else lhs, var)
    if parts is None or rhs.has(var):
        raise Decline('a logarithmic equation not of the form log_b(f) = c')
    base, args = parts
    arg = sp.Mul(*args)
    if len(args) > 1:
        steps.append(step('log-product-rule', 'The sum of logarithms with the same base is the logarithm of the product.', f'\\log_{{{sp.latex(base)}}}\\left({tex(sp.expand(arg))}\\right) = {tex(rhs)}'))
    value = sp.Pow(base, rhs)
    steps.append(step('exponential-form', f'Write it in exponential form: $\\log_b y = c$ means $y = b^c$.', f'{tex(sp.expand(arg))} = {sp.latex(sp.simplify(value))}'))
    return sp.expand(arg), sp.simplify(value)


def solve(relation, var):
    steps = []
    has_log = any(isinstance(s, sp.log) and s.has(var) for s in sp.preorder_traversal(sp.Add(relation.lhs, relation.rhs, evaluate=False)))
    if has_log:
        lhs, rhs = _solve_log(relation, var, steps)
    else:
        lhs, rhs = _solve_exponential(relation, var, steps)
    sub = []
    if lhs.has(sp.log) or rhs.has(sp.log):
        try:
            roots, special = poly_roots(lhs, rhs, var, sub)
        except sp.PolynomialError:
            raise Decline('the exponents do not give a polynomial equation')
    else:
        roots, special = poly_roots(lhs, rhs, var, sub)
    if special:
        raise Decline('no single solution')
    steps.append(step('solve-polynomial', f'Solve for ${tex(var)}$.', ', '.join(f'{tex(var)} = {sp.latex(r)}' for r in roots), sub))
    chk, kept = check.check_solutions(relation, var, roots)
    steps.append(chk)
    return steps, kept, None
