"""Arithmetic in order of operations: evaluate one innermost operation at a time (powers, then products and
quotients, then sums), with fractions over a common denominator and exact values for roots and special angles."""
import sympy as sp

from .steps import Decline, step, tex

MAX_STEPS = 40


def _is_value(e):
    return e.is_Atom or (e.is_Pow and e.base.is_Integer and e.exp == sp.Rational(1, 2)) or (e.is_Mul and len(e.args) == 2 and e.args[0].is_Rational and e.args[1] is sp.pi)


def _done(e):
    """A plain number, or a value already in simplest form (11*sqrt(2), pi/3)."""
    if e.is_Atom:
        return True
    if e.is_Mul and len(e.args) == 2 and e.args[0] == -1 and e.args[1].is_Number:
        return True  # -2 as the parser writes it in 5 - 2
    try:
        return all(_done(a) for a in e.args) and sp.sympify(sp.srepr(e)) == e  # rebuilt with evaluation: unchanged
    except (TypeError, sp.SympifyError):
        return False


def _innermost(e):
    """The leftmost operation whose arguments are all values: the next one to evaluate."""
    if _done(e):
        return None
    if e.is_Mul and all(_done(a) or (a.is_Pow and a.exp == -1 and a.base.is_Atom) for a in e.args):
        return e  # a quotient of plain numbers: one division step
    for a in e.args:
        found = _innermost(a)
        if found is not None:
            return found
    return e


def _describe(node, value):
    if node.is_Add:
        if any(a.is_Rational and not a.is_Integer for a in node.args):
            den = sp.ilcm(1, *[sp.fraction(a)[1] for a in node.args if a.is_Rational])
            sub = [step('common-denominator', f'Write each fraction over the common denominator {den}.',
                        ' + '.join(f'\\frac{{{a * den}}}{{{den}}}' for a in node.args))]
            return step('add-fractions', 'Add the fractions.', '', sub)
        return step('add', 'Add.', '')
    if node.is_Mul:
        if len(node.args) == 2 and node.args[1].is_Pow and node.args[1].exp == -1:
            return step('divide', 'Divide.', '')
        if any(a.is_Rational and not a.is_Integer for a in node.args):
            return step('multiply-fractions', 'Multiply the fractions: numerators together, denominators together.', '')
        return step('multiply', 'Multiply.', '')
    if node.is_Pow:
        if node.exp == -1:
            return step('reciprocal', 'Take the reciprocal.', '')
        if node.exp.is_Rational and not node.exp.is_Integer:
            return step('root', 'Simplify the root (take out perfect powers).', '')
        return step('power', 'Evaluate the power.', '')
    if isinstance(node, sp.factorial):
        return step('factorial', f'${sp.latex(node.args[0])}! = ' + ' \\cdot '.join(str(k) for k in range(int(node.args[0]), 0, -1)) + '$.' if node.args[0] <= 12 else 'Evaluate the factorial.', '')
    if isinstance(node, sp.binomial):
        n, k = node.args
        return step('combination', f'$\\binom{{n}}{{k}} = \\frac{{n!}}{{k!(n-k)!}}$ with $n = {sp.latex(n)}$, $k = {sp.latex(k)}$.', '')
    if isinstance(node, (sp.floor, sp.ceiling)):
        return step('floor' if isinstance(node, sp.floor) else 'ceiling', 'Round down to an integer.' if isinstance(node, sp.floor) else 'Round up to an integer.', '')
    if isinstance(node, sp.Abs):
        return step('absolute-value', 'Take the absolute value.', '')
    if isinstance(node, sp.log):
        return step('logarithm', 'Evaluate the logarithm: which power of the base gives the number?', '')
    if isinstance(node, (sp.sin, sp.cos, sp.tan, sp.cot, sp.sec, sp.csc, sp.asin, sp.acos, sp.atan)):
        return step('special-angle', 'Use the exact value at this special angle.', '')
    return None


def replace_unevaluated(e, node, value):
    """e with node replaced by value; the rest stays unevaluated, so one step does one operation
    (and a substituted expression starts its arithmetic steps from the substitution)."""
    if e == node:
        return value
    if e.is_Atom:
        return e
    args = [replace_unevaluated(a, node, value) for a in e.args]
    if args == list(e.args):
        return e
    try:
        return e.func(*args, evaluate=False)
    except TypeError:
        return e.func(*args)


def evaluate(expr):
    """Steps from expr to its value; declines when a step has no explanation."""
    steps = []
    current = expr
    for _ in range(MAX_STEPS):
        node = _innermost(current)
        if node is None:
            break
        value = sp.sympify(sp.srepr(node))  # node rebuilt with evaluation
        if isinstance(node, sp.log) and not value.is_Rational:
            raise Decline('a logarithm that is not a rational number')
        if isinstance(node, (sp.sin, sp.cos, sp.tan, sp.cot, sp.sec, sp.csc, sp.asin, sp.acos, sp.atan)) and value.func == node.func:
            raise Decline('a trigonometric value that is not at a special angle')
        if value.is_Float:
            raise Decline('an inexact value')
        new = replace_unevaluated(current, node, value)
        if new == current:
            break
        if tex(new) == tex(current):  # e.g. -1 * 2 -> -2: nothing the student would see
            current = new
            continue
        described = _describe(node, value)
        if described is None:
            raise Decline(f'an operation ({type(node).__name__}) the arithmetic rules do not explain')
        new = replace_unevaluated(current, node, value)
        if new == current:
            break
        described['latex'] = tex(new)
        described['text'] = described['text'] if described['text'] else 'Evaluate.'
        described['substeps'] = described['substeps'] + [step('result', f'${tex(node)} = {sp.latex(value)}$', value)] if not described['substeps'] else described['substeps']
        steps.append(described)
        current = new
    else:
        raise Decline('too many arithmetic steps')
    final = sp.simplify(current) if not current.is_Atom else current
    if final != current:
        steps.append(step('simplify', 'Simplify.', final))
    if sp.simplify(final - expr.doit()) != 0:
        raise Decline('the arithmetic steps and the check disagree')
    if final.has(sp.zoo, sp.nan, sp.oo):
        raise Decline('the expression is undefined (division by zero)')
    return steps, final
