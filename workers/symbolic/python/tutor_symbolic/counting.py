"""Factorials, permutations, combinations and arrangements of letters."""
from collections import Counter

import sympy as sp

from .steps import Decline, step

CDOT = r' \cdot '


def permutations(n, k):
    value = sp.ff(n, k)
    return [step('permutation', f'$P(n, k) = \\frac{{n!}}{{(n-k)!}}$: {n} choices, then {n - 1}, ... ({k} factors).',
                 ' \\cdot '.join(str(n - i) for i in range(k)) + f' = {value}' if k <= 12 else f'{value}')], value


def combinations(n, k):
    value = sp.binomial(n, k)
    kk = min(k, n - k)
    top = CDOT.join(str(n - i) for i in range(kk)) or '1'
    text = f'\\binom{{{n}}}{{{k}}} = \\frac{{{top}}}{{{kk}!}} = {value}' if kk <= 10 else f'\\binom{{{n}}}{{{k}}} = {value}'
    return [step('combination', '$\\binom{n}{k} = \\frac{n!}{k!(n-k)!}$; cancel the larger factorial.', text)], value


def arrangements(word):
    word = word.upper()
    if not word.isalpha() or len(word) > 20:
        raise Decline('not a word of letters')
    counts = Counter(word)
    repeated = {c: k for c, k in counts.items() if k > 1}
    value = sp.factorial(len(word))
    for k in repeated.values():
        value /= sp.factorial(k)
    den = ' \\cdot '.join(f'{k}!' for k in repeated.values())
    text = (f'{len(word)} letters; ' + ', '.join(f'{c} appears {k} times' for c, k in repeated.items())) if repeated else f'{len(word)} different letters'
    return [step('count-letters', text + '.', f'{len(word)}!' + (f' / ({den})' if den else '')),
            step('arrangements', 'Arrangements: $n!$ divided by $k!$ for each letter that repeats $k$ times.', f'\\frac{{{len(word)}!}}{{{den or "1"}}} = {value}')], value
