"""Derivatives with named rules, after SymPy Gamma's diffsteps: one rule per case, a printer sentence per rule."""
import sympy as sp

from .steps import Decline, step, tex

TRIG = {sp.sin: (lambda u: sp.cos(u), r'\frac{d}{du}\sin u = \cos u'),
        sp.cos: (lambda u: -sp.sin(u), r'\frac{d}{du}\cos u = -\sin u'),
        sp.tan: (lambda u: sp.sec(u) ** 2, r'\frac{d}{du}\tan u = \sec^2 u'),
        sp.sec: (lambda u: sp.sec(u) * sp.tan(u), r'\frac{d}{du}\sec u = \sec u \tan u'),
        sp.csc: (lambda u: -sp.csc(u) * sp.cot(u), r'\frac{d}{du}\csc u = -\csc u \cot u'),
        sp.cot: (lambda u: -sp.csc(u) ** 2, r'\frac{d}{du}\cot u = -\csc^2 u')}


def d(expr, x):
    """(derivative, step) for expr with respect to x."""
    D = lambda e: f'\\frac{{d}}{{d{tex(x)}}}\\left({tex(e)}\\right)'
    if not expr.has(x):
        return sp.Integer(0), step('constant-rule', f'${tex(expr)}$ is a constant: its derivative is 0.', f'{D(expr)} = 0')
    if expr == x:
        return sp.Integer(1), step('identity-rule', f'The derivative of ${tex(x)}$ is 1.', f'{D(expr)} = 1')
    if expr.is_Add:
        parts = [d(a, x) for a in expr.args]
        result = sp.Add(*[p[0] for p in parts])
        return result, step('sum-rule', 'Differentiate term by term (sum rule).', f'{D(expr)} = {tex(result)}', [p[1] for p in parts])
    if expr.is_Mul:
        const, rest = expr.as_independent(x, as_Add=False)
        if const != 1:
            inner, s = d(rest, x)
            result = const * inner
            return result, step('constant-multiple-rule', f'Take the constant ${tex(const)}$ out of the derivative.', f'{D(expr)} = {tex(result)}', [s])
        num, den = sp.fraction(expr)
        if den.has(x) and den != 1:
            dn, sn = d(num, x)
            dd, sd = d(den, x)
            result = (dn * den - num * dd) / den ** 2
            return result, step('quotient-rule', r'Quotient rule: $\left(\frac{f}{g}\right)' + "'" + r' = \frac{f' + "'" + r'g - fg' + "'" + r'}{g^2}$' + f' with $f = {tex(num)}$, $g = {tex(den)}$.',
                                f'{D(expr)} = {sp.latex(result)}', [sn, sd])
        f, g = expr.args[0], sp.Mul(*expr.args[1:])
        df, sf = d(f, x)
        dg, sg = d(g, x)
        result = df * g + f * dg
        return result, step('product-rule', f"Product rule: $(fg)' = f'g + fg'$ with $f = {tex(f)}$, $g = {tex(g)}$.", f'{D(expr)} = {tex(result)}', [sf, sg])
    if expr.is_Pow:
        base, e = expr.base, expr.exp
        if not e.has(x):
            if base == x:
                result = e * x ** (e - 1)
                return result, step('power-rule', f"Power rule: $\\frac{{d}}{{dx}} x^n = n x^{{n-1}}$ with $n = {sp.latex(e)}$.", f'{D(expr)} = {sp.latex(result)}')
            inner, s = d(base, x)
            result = e * base ** (e - 1) * inner
            return result, step('chain-rule', f'Chain rule with $u = {tex(base)}$: the power rule on $u^{{{sp.latex(e)}}}$ times $u\'$.', f'{D(expr)} = {sp.latex(result)}', [s])
        if not base.has(x):
            inner, s = d(e, x)
            result = expr * sp.log(base) * inner if base != sp.E else expr * inner
            rule = 'exp-rule'
            text = f'Exponential rule: $\\frac{{d}}{{du}} a^u = a^u \\ln a$' if base != sp.E else 'Exponential rule: $\\frac{d}{du} e^u = e^u$'
            subs = [s] if e != x else []
            if e != x:
                text += f', with the chain rule on $u = {tex(e)}$'
            return result, step(rule, text + '.', f'{D(expr)} = {sp.latex(result)}', subs)
        raise Decline('a variable in both the base and the exponent')
    if isinstance(expr, sp.exp):
        u = expr.args[0]
        inner, s = d(u, x)
        result = expr * inner
        return result, step('exp-rule', 'Exponential rule: $\\frac{d}{du} e^u = e^u$' + (f', with the chain rule on $u = {tex(u)}$.' if u != x else '.'), f'{D(expr)} = {sp.latex(result)}', [s] if u != x else [])
    if isinstance(expr, sp.log):
        if len(expr.args) > 1:
            raise Decline('a logarithm with a base')
        u = expr.args[0]
        inner, s = d(u, x)
        result = inner / u
        return result, step('log-rule', 'Logarithm rule: $\\frac{d}{du} \\ln u = \\frac{1}{u}$' + (f', with the chain rule on $u = {tex(u)}$.' if u != x else '.'), f'{D(expr)} = {sp.latex(result)}', [s] if u != x else [])
    if type(expr) in TRIG:
        u = expr.args[0]
        rule, formula = TRIG[type(expr)]
        inner, s = d(u, x)
        result = rule(u) * inner
        return result, step('trig-rule', f'Trigonometric rule: ${formula}$' + (f', with the chain rule on $u = {tex(u)}$.' if u != x else '.'), f'{D(expr)} = {sp.latex(result)}', [s] if u != x else [])
    if isinstance(expr, (sp.asin, sp.acos, sp.atan)):
        u = expr.args[0]
        inner, s = d(u, x)
        base = {sp.asin: 1 / sp.sqrt(1 - u ** 2), sp.acos: -1 / sp.sqrt(1 - u ** 2), sp.atan: 1 / (1 + u ** 2)}[type(expr)]
        result = base * inner
        return result, step('inverse-trig-rule', 'Inverse trigonometric rule' + (f', with the chain rule on $u = {tex(u)}$.' if u != x else '.'), f'{D(expr)} = {sp.latex(result)}', [s] if u != x else [])
    raise Decline('a function the derivative rules do not cover')


def solve(expr, x, order=1):
    steps = [step('read', f'Differentiate with respect to ${tex(x)}$.', f'\\frac{{d}}{{d{tex(x)}}}\\left({tex(expr)}\\right)')]
    current = expr
    for k in range(order):
        value, s = d(sp.sympify(current), x)
        steps.append(s)
        current = value
    simplified = sp.simplify(current)
    if sp.count_ops(simplified) < sp.count_ops(current):
        steps.append(step('simplify', 'Simplify.', simplified))
        current = simplified
    if current.has(sp.sec, sp.csc, sp.cot):
        current = current.rewrite(sp.cos) if not current.has(sp.cot) else current.rewrite(sp.sin)
    if sp.simplify(current - sp.diff(expr, x, order)) != 0:
        raise Decline('the rule steps and the check disagree')
    return steps, current
