"""Percent change (increase, decrease), a number increased or decreased by a percent, and simple interest."""
import sympy as sp

from .steps import BadInput, Solution, step
from .rules import rule

N = r'\$?(?P<{}>\d+(?:,\d{{3}})*(?:\.\d+)?)'
A, B, R, T = N.format('a'), N.format('b'), r'(?P<r>\d+(?:\.\d+)?) ?(?:%|percent)', r'(?P<t>\d+(?:\.\d+)?)'


def _num(text):
    return sp.Rational(text.replace(',', ''))


def _answer(value, p):
    """Percents and money read as decimals: 421.2, not 2106/5 (a decimal that does not end stays a fraction)."""
    from .core import number_answer
    return number_answer(value, p.text, p.form | {'decimal'}) if value.is_Rational and not value.is_Integer and _ends(value) else number_answer(value, p.text, p.form)


def _ends(value):
    q = int(value.q)
    for f in (2, 5):
        while q % f == 0:
            q //= f
    return q == 1


@rule('percent-change', r'^(?:what is |find |calculate |determine )?the percent(?:age)? (?P<kind>change|increase|decrease) (?:from|between) ' + A + r' (?:to|and) ' + B + '$',
      r'^by what percent(?:age)? (?:does|did) (?:a (?:price|value|number) (?:of )?)?' + A + r' (?P<kind>increase|decrease|change) (?:to|if it becomes) ' + B + '$')
def percent_change(p):
    a, b = _num(p.groups['a']), _num(p.groups['b'])
    kind = p.groups['kind']
    if a == 0:
        raise BadInput('A change from 0 has no percent: nothing to compare it with.')
    if (kind == 'increase' and b < a) or (kind == 'decrease' and b > a):
        raise BadInput(f'From {p.groups["a"]} to {p.groups["b"]} is not an {kind}.' if kind == 'increase' else f'From {p.groups["a"]} to {p.groups["b"]} is not a {kind}.')
    change = (b - a) / a * 100
    if kind == 'decrease':
        change = -change
    steps = [step('percent-change', 'Percent change $= \\frac{\\text{new} - \\text{old}}{\\text{old}} \\cdot 100\\%$.',
                  f'\\frac{{{sp.latex(b)} - {sp.latex(a)}}}{{{sp.latex(a)}}} \\cdot 100\\%'),
             step('evaluate', 'Evaluate.', f'{sp.latex(change)}\\%')]
    return Solution('percent', f'{sp.latex(a)} \\to {sp.latex(b)}', steps, _answer(change, p) + r'\%')


@rule('percent-apply', r'^(?P<kind>increase|decrease|reduce) ' + A + r' by ' + R + '$',
      r'^(?:what is |find )?' + A + r' (?P<kind>increased|decreased|reduced) by ' + R + '$')
def percent_apply(p):
    a, r = _num(p.groups['a']), sp.Rational(p.groups['r'])
    up = p.groups['kind'].startswith('increase')
    if not up and r > 100:
        raise BadInput('A decrease of more than 100% leaves less than nothing.')
    factor = 1 + r / 100 if up else 1 - r / 100
    value = a * factor
    steps = [step('percent-multiplier', f'{"Increasing" if up else "Decreasing"} by {p.groups["r"]}% multiplies by $1 {"+" if up else "-"} \\frac{{{p.groups["r"]}}}{{100}} = {sp.latex(factor)}$.', f'{sp.latex(a)} \\cdot {sp.latex(factor)}'),
             step('evaluate', 'Multiply.', sp.latex(value))]
    return Solution('percent', sp.latex(a), steps, _answer(value, p))


@rule('simple-interest', r'^(?:find |what is |calculate |compute |determine )?the (?P<what>simple interest|total amount|amount|final amount|balance)(?: earned| owed| paid)? (?:on|for|of|after) (?:a (?:loan|deposit|investment) of )?' + A + r' (?:invested |borrowed |deposited )?at ' + R + r'(?: simple interest)?(?: per (?:year|annum)| a year| annually| per annum)? (?:for|over|after) ' + T + r' years?$')
def simple_interest(p):
    principal, r, t = _num(p.groups['a']), sp.Rational(p.groups['r']), sp.Rational(p.groups['t'])
    interest = principal * r / 100 * t
    steps = [step('simple-interest', 'Simple interest: $I = P r t$, with the rate as a fraction per year.', f'I = {sp.latex(principal)} \\cdot \\frac{{{p.groups["r"]}}}{{100}} \\cdot {sp.latex(t)}'),
             step('evaluate', 'Multiply.', f'I = {sp.latex(interest)}')]
    value = interest
    if p.groups['what'] != 'simple interest':
        value = principal + interest
        steps.append(step('total', 'The amount is the principal plus the interest: $A = P + I$.', f'A = {sp.latex(principal)} + {sp.latex(interest)} = {sp.latex(value)}'))
    return Solution('interest', sp.latex(principal), steps, _answer(value, p))
