"""Numbers in other bases: "What is 2a1 (base 13) in base 10?", "Convert 110101 (base 2) to base 8."."""
import re
import string

from .steps import BadInput, Decline, Solution, step
from .rules import rule

DIGITS = string.digits + string.ascii_lowercase


def _to_base(n, base):
    if n == 0:
        return '0', []
    sign, n, out = '-' if n < 0 else '', abs(n), []
    subs = []
    while n:
        q, r = divmod(n, base)
        subs.append(step('divide', f'${n} = {q} \\cdot {base} + {r}$', f'{r}'))
        out.append(DIGITS[r])
        n = q
    return sign + ''.join(reversed(out)), subs


@rule('base', r'^(?:convert |what is )?(?P<n>-?[0-9a-z]+) \(base (?P<from>\d+)\) (?:to|in|into) base (?P<to>\d+)$')
def convert(p):
    text, b_from, b_to = p.groups['n'].lower(), int(p.groups['from']), int(p.groups['to'])
    for b in (b_from, b_to):
        if not 2 <= b <= 36:
            raise BadInput(f'Base {b} is outside 2 to 36, the bases written with digits and letters.')
    digits = text.lstrip('-')
    bad = next((c for c in digits if DIGITS.index(c) >= b_from), None) if all(c in DIGITS for c in digits) else '?'
    if bad is not None:
        raise BadInput(f'The digit {bad} does not exist in base {b_from}.')
    value = int(text, b_from)
    place = ' + '.join(f'{DIGITS.index(c)} \\cdot {b_from}^{{{len(digits) - 1 - i}}}' for i, c in enumerate(digits))
    steps = [step('place-value', f'Each digit counts its place: powers of {b_from}.', f'{place} = {value}')] if b_from != 10 else []
    if b_to == 10:
        return Solution('base', f'{text}_{{{b_from}}}', steps, str(value))
    result, subs = _to_base(value, b_to)
    steps.append(step('repeated-division', f'Divide by {b_to} again and again; the remainders, last first, are the digits.', f'{result}_{{{b_to}}}', subs))
    return Solution('base', f'{text}_{{{b_from}}}', steps, result)


# ---- written with subscripts, as MATH500 writes them: $555_{10}$, $413_5 \div 2_5$

WORD_BASES = {'binary': 2, 'two': 2, 'three': 3, 'four': 4, 'five': 5, 'six': 6, 'seven': 7, 'eight': 8, 'nine': 9, 'ten': 10,
              'eleven': 11, 'twelve': 12, 'sixteen': 16, 'octal': 8, 'hexadecimal': 16, 'decimal': 10}
SUBSCRIPTED = re.compile(r'([0-9A-Za-z]+)_\{?(\d+)\}?')
OPS = {r'\div': '/', r'\cdot': '*', r'\times': '*', '+': '+', '-': '-', '*': '*', '/': '/'}


def _base_of(text):
    text = text.strip().lower()
    if text.isdigit():
        return int(text)
    if text in WORD_BASES:
        return WORD_BASES[text]
    raise Decline(f'the base "{text}" is not read')


def _span(p, key):
    m = re.fullmatch(r'⟦(\d+)⟧', p.groups[key].strip())
    if not m:
        raise Decline('the number is not written with its base')
    return p.math[int(m.group(1))]['latex']


def _value_in_base(digits, base):
    if not 2 <= base <= 36:
        raise BadInput(f'Base {base} is outside 2 to 36, the bases written with digits and letters.')
    bad = next((c for c in digits.lower() if c not in DIGITS or DIGITS.index(c) >= base), None)
    if bad is not None:
        raise BadInput(f'The digit {bad} does not exist in base {base}.')
    return int(digits, base)


def _subscript_answer(n, base):
    if base == 10:
        return str(n)
    return f'{_to_base(n, base)[0]}_{{{base}}}'


@rule('base-subscript', r'^(?:express|write|convert) (?P<x>⟦\d+⟧) (?:in|to|into) base (?P<to>\w+)$',
      r'^what is the base (?P<to>\w+) (?:equivalent|representation) of (?P<x>⟦\d+⟧)$',
      r'^the (?:\w+ )?number (?P<x>⟦\d+⟧) is equal to what number in base (?P<to>\w+)$',
      r'^(?:express (?:the (?:quotient|sum|difference|product) )?|compute:? |find (?:the (?:product|sum|difference|quotient) of )?|what is )(?P<x>⟦\d+⟧)(?: in base (?P<to>\w+)|[.,]? express your answer in base (?P<to2>\w+))$')
def base_subscript(p):
    latex = _span(p, 'x')
    to = _base_of(p.groups.get('to') or p.groups.get('to2'))
    if not 2 <= to <= 36:
        raise BadInput(f'Base {to} is outside 2 to 36, the bases written with digits and letters.')
    numbers = SUBSCRIPTED.findall(latex)
    if not numbers:
        raise Decline('no number with a base')
    rest = SUBSCRIPTED.sub(' ', latex)
    ops = re.findall(r'\\div|\\cdot|\\times|[-+*/]', rest)
    if re.sub(r'\\div|\\cdot|\\times|[-+*/]|\s', '', rest) or len(ops) != len(numbers) - 1:
        raise Decline('an expression in bases the rules do not read')
    values = [_value_in_base(d, int(b)) for d, b in numbers]
    steps = [step('place-value', f'${d}_{{{b}}}$: each digit times a power of {b}, so ${d}_{{{b}}} = {v}$ in base 10.', str(v)) for (d, b), v in zip(numbers, values) if int(b) != 10]
    total = values[0]
    shown = [str(values[0])]
    for op, v in zip(ops, values[1:]):
        o = OPS[op]
        if o == '/':
            if v == 0 or total % v:
                raise Decline('a quotient that is not whole')
            total //= v
        else:
            total = total + v if o == '+' else total - v if o == '-' else total * v
        shown.append(f'{o} {v}')
    if len(values) > 1:
        steps.append(step('evaluate', 'Work in base 10.', ' '.join(shown).replace('*', r'\cdot').replace('/', r'\div') + f' = {total}'))
    if to != 10:
        result, subs = _to_base(total, to)
        steps.append(step('repeated-division', f'Divide by {to} again and again; the remainders, last first, are the digits.', f'{result}_{{{to}}}', subs))
    return Solution('base', latex, steps, _subscript_answer(total, to))
