"""Every equation ends here: each candidate is substituted into the original equation."""
import sympy as sp

from .steps import step, tex


def _defined(expr, var, v):
    """Whether expr is a real number at var = v (no zero denominator, no even root of a negative)."""
    for sub in sp.preorder_traversal(expr):
        if sub.is_Pow and sub.exp.is_negative:
            if sp.simplify(sub.base.subs(var, v)) == 0:
                return 'it makes a denominator zero'
        if sub.is_Pow and sub.exp.is_Rational and not sub.exp.is_Integer and sub.exp.q % 2 == 0:
            base = sp.simplify(sub.base.subs(var, v))
            if base.is_real and base.is_negative:
                return 'it puts a negative number under a square root'
        if isinstance(sub, sp.log):
            arg = sp.simplify(sub.args[0].subs(var, v))
            if arg.is_real and not arg.is_positive:
                return 'a logarithm is only defined for positive numbers'
    return None


def holds(relation, var, v):
    """(True, None) when var = v satisfies the relation; (False, why) otherwise."""
    why = _defined(relation.lhs, var, v) or _defined(relation.rhs, var, v)
    if why:
        return False, why
    left = sp.nsimplify(sp.simplify(relation.lhs.subs(var, v)))
    right = sp.nsimplify(sp.simplify(relation.rhs.subs(var, v)))
    if not (left.is_real and right.is_real) and v.is_real:
        return False, 'a side is not a real number there'
    if sp.simplify(left - right) == 0:
        return True, None
    try:
        if abs(complex(sp.N(left - right, 30))) < 1e-20:
            return True, None
    except TypeError:
        pass
    return False, f'the two sides are not equal there (${tex(left)} \\ne {tex(right)}$)'


def check_solutions(relation, var, candidates):
    """The check step and the solutions that survive it."""
    kept, subs = [], []
    for v in candidates:
        ok, why = holds(relation, var, v)
        left_at = relation.lhs.subs(var, sp.UnevaluatedExpr(v)) if not v.is_Atom else relation.lhs.subs(var, v)
        if ok:
            kept.append(v)
            subs.append(step('substitute', f'For ${tex(var)} = {sp.latex(v)}$ both sides equal ${sp.latex(sp.nsimplify(sp.simplify(relation.lhs.subs(var, v))))}$: it is a solution.',
                             f'{sp.latex(var)} = {sp.latex(v)}'))
        else:
            subs.append(step('reject', f'${tex(var)} = {sp.latex(v)}$ is rejected: {why}.', f'{sp.latex(var)} \\ne {sp.latex(v)}'))
    rejected = len(candidates) - len(kept)
    if not candidates:
        text = 'There are no candidates to check.'
    elif rejected == 0:
        text = 'Check each solution in the original equation: all of them work.'
    elif kept:
        text = f'Check each solution in the original equation: {rejected} of them {"is" if rejected == 1 else "are"} rejected.'
    else:
        text = 'Check each solution in the original equation: none of them works.'
    return step('check', text, relation.latex(), subs), kept
