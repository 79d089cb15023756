"""Answers in the form a student and MATH500 expect, as LaTeX."""
import sympy as sp


NEG_INF = r'-\infty'
POS_INF = r'\infty'


def value(expr):
    """An exact value in simplest form: fractions, simplest radicals, multiples of pi."""
    expr = sp.nsimplify(expr) if isinstance(expr, sp.Float) else expr
    if expr.is_Rational or expr.is_Number:
        return sp.latex(expr)
    simpler = sp.radsimp(sp.nsimplify(sp.simplify(expr))) if expr.free_symbols == set() else sp.simplify(expr)
    return sp.latex(simpler)


def solutions(values):
    """A solution list, smallest first: '3' or '-2, 5'."""
    real = sorted(values, key=lambda v: float(sp.re(sp.N(v))))
    return ', '.join(value(v) for v in real)


def interval_set(s):
    """A sympy set as interval notation: (-\\infty, 2) \\cup (3, \\infty)."""
    if s == sp.S.Reals:
        return r'(-\infty, \infty)'
    if s is sp.S.EmptySet:
        return r'\emptyset'
    if isinstance(s, sp.Union):
        return r' \cup '.join(interval_set(part) for part in s.args)
    if isinstance(s, sp.Interval):
        left = '(' if s.left_open or s.start == -sp.oo else '['
        right = ')' if s.right_open or s.end == sp.oo else ']'
        start = value(s.start) if s.start != -sp.oo else NEG_INF
        end = value(s.end) if s.end != sp.oo else POS_INF
        return f'{left}{start}, {end}{right}'
    if isinstance(s, sp.FiniteSet):
        return r'\{' + ', '.join(value(v) for v in sorted(s, key=lambda v: float(v))) + r'\}'
    raise ValueError('not an interval set')


def pair(values):
    return '(' + ', '.join(value(v) for v in values) + ')'


def antiderivative(expr):
    return f'{sp.latex(expr)} + C'
