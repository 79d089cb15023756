"""Integrals, after sympy's manualintegrate: integral_steps gives the rule tree, this module says each rule in words."""
import sympy as sp
from sympy.integrals import manualintegrate as mi

from .steps import Decline, step, tex
from . import answer


def _integral(f, x):
    return f'\\int {tex(f)} \\, d{tex(x)}'


def _say(rule):
    """A step (with sub-steps) for one node of integral_steps' tree."""
    name = type(rule).__name__
    ctx = getattr(rule, 'context', None)
    x = getattr(rule, 'symbol', None)
    result = mi._manualintegrate(rule)
    head = (_integral(ctx, x) + ' = ' + tex(result)) if ctx is not None and x is not None else tex(result)
    if name == 'ConstantRule':
        return step('constant-rule', f'The integral of the constant ${tex(rule.constant)}$ is ${tex(result)}$.', head)
    if name == 'PowerRule':
        return step('power-rule', f'Power rule: $\\int x^n\\,dx = \\frac{{x^{{n+1}}}}{{n+1}}$ with $n = {sp.latex(rule.exp)}$.', head)
    if name == 'ReciprocalRule':
        return step('reciprocal-rule', 'The integral of $\\frac{1}{x}$ is $\\ln|x|$.', head)
    if name == 'ExpRule':
        return step('exp-rule', 'The integral of $e^x$ is $e^x$' + ('' if rule.base == sp.E else f' (for $a^x$ it is $\\frac{{a^x}}{{\\ln a}}$)') + '.', head)
    if name == 'TrigRule':
        return step('trig-rule', f'A standard integral of ${rule.func}$.', head)
    if name == 'ArctanRule':
        return step('arctan-rule', 'A standard integral: $\\int \\frac{dx}{1+x^2} = \\arctan x$.', head)
    if name == 'ConstantTimesRule':
        return step('constant-multiple-rule', f'Take the constant ${tex(rule.constant)}$ out of the integral.', head, [_say(rule.substep)])
    if name == 'AddRule':
        return step('sum-rule', 'Integrate term by term.', head, [_say(s) for s in rule.substeps])
    if name == 'URule':
        return step('u-substitution', f'Substitute $u = {tex(rule.u_func)}$.', head, [_say(rule.substep)])
    if name == 'PartsRule':
        subs = [step('parts-choice', f'Take $u = {tex(rule.u)}$ and $dv = {tex(rule.dv)}\\,d{tex(x)}$.', f'u = {tex(rule.u)}, \\; dv = {tex(rule.dv)}\\,d{tex(x)}')]
        subs.append(_say(rule.v_step))
        if rule.second_step is not None:
            subs.append(_say(rule.second_step))
        return step('integration-by-parts', 'Integration by parts: $\\int u\\,dv = uv - \\int v\\,du$.', head, subs)
    if name == 'CyclicPartsRule':
        return step('cyclic-parts', 'Integrate by parts twice: the original integral comes back, so solve for it.', head, [_say(r) for r in rule.parts_rules if r.context is not None])
    if name == 'RewriteRule':
        return step('rewrite', f'Rewrite the integrand as ${tex(rule.rewritten)}$.', head, [_say(rule.substep)])
    if name == 'AlternativeRule':
        return _say(rule.alternatives[0])
    raise Decline(f'the integral needs a rule ({name}) the steps do not explain')


def _check_tree(rule):
    for value in rule:
        if isinstance(value, tuple) and hasattr(value, '_fields'):
            _check_tree(value)
        elif isinstance(value, list):
            for v in value:
                if isinstance(v, tuple) and hasattr(v, '_fields'):
                    _check_tree(v)
    if type(rule).__name__ in ('DontKnowRule',):
        raise Decline('sympy has no rule for part of this integral')


def solve(f, x, bounds=None):
    f = sp.sympify(f)
    steps = [step('read', 'Integrate' + (f' from ${sp.latex(bounds[0])}$ to ${sp.latex(bounds[1])}$' if bounds else '') + f' with respect to ${tex(x)}$.',
                  f'\\int_{{{sp.latex(bounds[0])}}}^{{{sp.latex(bounds[1])}}} {tex(f)} \\, d{tex(x)}' if bounds else _integral(f, x))]
    rule = mi.integral_steps(f.doit(), x)
    _check_tree(rule)
    steps.append(_say(rule))
    F = sp.simplify(mi.manualintegrate(f.doit(), x))
    if sp.simplify(sp.diff(F, x) - f.doit()) != 0:
        raise Decline('the antiderivative does not check')
    usual = sp.integrate(f.doit(), x)
    offset = sp.simplify(F - usual)
    if offset != 0 and not offset.has(x):
        steps.append(step('rewrite', f'Expand: ${tex(F)} = {tex(usual)} + {sp.latex(offset)}$, and the constant joins $C$.', usual))
        F = usual
    if not bounds:
        steps.append(step('add-constant', 'Add the constant of integration.', answer.antiderivative(F)))
        return steps, answer.antiderivative(F)
    a, b = bounds
    value = sp.simplify(F.subs(x, b) - F.subs(x, a))
    if any(sp.limit(sp.denom(sp.together(f)), x, p) == 0 for p in sp.solve(sp.denom(sp.together(f)), x) if p.is_real and a <= p <= b):
        raise Decline('the integrand is undefined inside the interval')
    steps.append(step('evaluate-bounds', f'Evaluate the antiderivative at the bounds: $F({sp.latex(b)}) - F({sp.latex(a)})$.', f'\\left[{tex(F)}\\right]_{{{sp.latex(a)}}}^{{{sp.latex(b)}}} = {sp.latex(value)}'))
    if sp.simplify(value - sp.integrate(f, (x, a, b))) != 0:
        raise Decline('the definite integral does not check')
    return steps, sp.latex(value)
