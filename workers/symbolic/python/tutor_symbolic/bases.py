"""Numbers in other bases: "What is 2a1 (base 13) in base 10?", "Convert 110101 (base 2) to base 8."."""
import string

import sympy as sp

from .steps import BadInput, Solution, step
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
