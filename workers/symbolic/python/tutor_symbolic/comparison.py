"""Comparing and ordering numbers: which is bigger, is a < b, sort a list."""
import re

import sympy as sp

from .steps import Decline, Solution, step
from .rules import rule
from .parse import NUMBER, parse_plain

N = NUMBER


def _value(text):
    v = sp.nsimplify(parse_plain(text).doit()) if not re.fullmatch(N, text.strip()) else sp.Rational(text.strip())
    if not v.is_Rational:
        raise Decline('a value that is not a plain number')
    return v


def _decimal_of(v):
    return sp.latex(sp.Float(v, 6)).rstrip('0').rstrip('.') if not v.is_Integer else str(v)


def _compare_steps(a_text, b_text, a, b):
    sub = []
    if not (a.is_Integer and b.is_Integer):
        sub.append(step('as-decimals', f'As decimals: {a_text} $\\approx {_decimal_of(a)}$ and {b_text} $\\approx {_decimal_of(b)}$.', ''))
    return sub


@rule('bigger', rf'^which is (?P<which>bigger|greater|larger|smaller|less|lesser)(?: number)?:? (?P<a>{N}) or (?P<b>{N})$')
def bigger(p):
    a_text, b_text = p.groups['a'], p.groups['b']
    a, b = _value(a_text), _value(b_text)
    if a == b:
        raise Decline('the two numbers are equal')
    big = p.groups['which'].lower() in ('bigger', 'greater', 'larger')
    pick = a_text if (a > b) == big else b_text
    steps = _compare_steps(a_text, b_text, a, b) + [step('compare', f'{pick} is the {"bigger" if big else "smaller"} one.', pick)]
    return Solution('comparison', f'{a_text}, {b_text}', steps, sp.latex(sp.Rational(pick)))


_RELATIONS = [
    (r'less than or equal to|at most(?: as big as)?|<=|≤', lambda a, b: a <= b),
    (r'greater than or equal to|at least(?: as big as)?|>=|≥', lambda a, b: a >= b),
    (r'less than|smaller than|<', lambda a, b: a < b),
    (r'greater than|bigger than|>', lambda a, b: a > b),
    (r'not equal to|!=|≠', lambda a, b: a != b),
    (r'equal to|=', lambda a, b: a == b),
]


@rule('is-relation', rf'^is (?P<a>{N}) (?P<rel>less than or equal to|greater than or equal to|at most as big as|at least as big as|at most|at least|less than|smaller than|greater than|bigger than|not equal to|equal to|<=|>=|!=|<|>|=|≤|≥|≠) (?P<b>{N})$',
      rf'^are (?P<a>{N}) and (?P<b>{N}) (?P<rel>equal|unequal|nonequal|non-equal)$')
def is_relation(p):
    a, b = _value(p.groups['a']), _value(p.groups['b'])
    rel = p.groups['rel'].lower()
    if rel in ('equal',):
        truth = a == b
    elif rel in ('unequal', 'nonequal', 'non-equal'):
        truth = a != b
    else:
        truth = next(test(a, b) for pattern, test in _RELATIONS if re.fullmatch(pattern, rel))
    steps = _compare_steps(p.groups['a'], p.groups['b'], a, b) + [step('compare', f'Compare on the number line: {p.groups["a"]} is ' + ('left of' if a < b else 'right of' if a > b else 'at') + f' {p.groups["b"]}.', '')]
    return Solution('comparison', f'{p.groups["a"]}, {p.groups["b"]}', steps, r'\text{yes}' if truth else r'\text{no}')


@rule('sort', rf'^(?:sort|put|order|arrange|list) (?P<items>{N}(?:\s*,\s*(?:and )?{N})+)(?: (?:in|into) (?P<dir>ascending|increasing|descending|decreasing) order| from (?P<from>least|smallest|greatest|largest) to (?:greatest|largest|least|smallest))?$')
def sort(p):
    items = [t.strip() for t in re.split(r'\s*,\s*(?:and )?', p.groups['items'])]
    values = [_value(t) for t in items]
    if len(set(values)) != len(values):
        raise Decline('a list with equal values')
    direction = (p.groups.get('dir') or '').lower()
    descending = direction in ('descending', 'decreasing') or (p.groups.get('from') or '').lower() in ('greatest', 'largest')
    if not direction and not p.groups.get('from') and not p.text.lower().startswith('sort'):
        raise Decline('no order named')
    order = sorted(zip(values, items), reverse=descending)
    text = ', '.join(t for _, t in order)
    steps = [step('compare', 'Compare the numbers' + (' (as decimals where they are fractions)' if any(not v.is_Integer for v in values) else '') + (', biggest first.' if descending else ', smallest first.'), text)]
    return Solution('sort', ', '.join(items), steps, text)
