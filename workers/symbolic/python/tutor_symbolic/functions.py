"""Function evaluation: f(x) = ... defined in the problem, then f(5), g(f(5) - 1), f(-2) + f(-1), ... evaluated
inside out, one application at a time."""
import sympy as sp

from .steps import Decline, step, tex
from .parse import _convert, _sym


def definition(node):
    """["Equal", ["InvisibleOperator", "f", ["Delimiter", "x"]], body] -> (name, variable, body), or None."""
    if not (isinstance(node, list) and len(node) == 3 and node[0] == 'Equal'):
        return None
    head = node[1]
    if not (isinstance(head, list) and len(head) == 3 and head[0] == 'InvisibleOperator' and isinstance(head[1], str)
            and len(head[1]) == 1 and isinstance(head[2], list) and head[2][0] == 'Delimiter' and isinstance(head[2][1], str)):
        return None
    name, var = head[1], head[2][1]
    if name == var or len(var) != 1:
        return None
    return name, _sym(var), _convert(node[2])


def _apply(node, defs, steps):
    """The value of a MathJSON expression in which defined functions are applied to numbers."""
    if isinstance(node, list) and len(node) == 3 and node[0] == 'InvisibleOperator' and isinstance(node[1], str) and node[1] in defs \
            and isinstance(node[2], list) and node[2][0] == 'Delimiter':
        arg = _apply(node[2][1], defs, steps)
        var, body = defs[node[1]]
        if arg.free_symbols:
            raise Decline('a function applied to a letter')
        substituted = body.xreplace({var: sp.UnevaluatedExpr(arg)}) if not arg.is_Atom else body.subs(var, arg, simultaneous=True)
        value = sp.nsimplify(sp.simplify(body.subs(var, arg)))
        if value.has(sp.zoo, sp.nan) or not value.is_number:
            raise Decline('the function is undefined there')
        steps.append(step('evaluate-function', f'${node[1]}({sp.latex(arg)})$: put ${sp.latex(arg)}$ in for ${tex(var)}$ in ${tex(body)}$.',
                          f'{node[1]}({sp.latex(arg)}) = {sp.latex(value)}'))
        return value
    if isinstance(node, list) and node and node[0] not in ('Delimiter',):
        head = node[0]
        args = [_apply(a, defs, steps) for a in node[1:]]
        rebuilt = [head] + [_literal(a) for a in args]
        value = sp.nsimplify(sp.simplify(_convert(rebuilt)))
        return value
    if isinstance(node, list) and node[0] == 'Delimiter':
        return _apply(node[1], defs, steps)
    value = _convert(node)
    if isinstance(value, sp.Basic) and value.free_symbols:
        raise Decline('a letter in the expression to evaluate')
    return value


def _literal(value):
    """A sympy number back as MathJSON for the surrounding operation."""
    if value.is_Integer:
        return int(value)
    if value.is_Rational:
        return ['Rational', int(value.p), int(value.q)]
    raise Decline('an intermediate value that is not rational')


def solve(def_nodes, target_node):
    defs = {}
    for node in def_nodes:
        d = definition(node)
        if d is None:
            raise Decline('not a function definition')
        defs[d[0]] = (d[1], d[2])
    steps = [step('read', 'Evaluate from the inside out, one function at a time.',
                  r' \\ '.join(f'{name}({tex(v)}) = {tex(b)}' for name, (v, b) in defs.items()))]
    value = _apply(target_node, defs, steps)
    if len(steps) == 1:
        raise Decline('no function is applied')
    return steps, value
