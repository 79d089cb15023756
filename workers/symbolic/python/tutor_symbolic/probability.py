"""Probability of drawing letters without replacement from a bag, as the DeepMind mathematics_dataset asks it:
"Two letters picked without replacement from {a: 3, b: 2}. What is prob of sequence ab?" and
"... What is prob of picking 1 a and 1 b?". The bag is {letter: count, ...} or a string of letters ("aabbb")."""
import re
from collections import Counter

import sympy as sp

from .steps import Decline, BadInput, Solution, step
from .rules import rule

COUNT_WORDS = {'one': 1, 'two': 2, 'three': 3, 'four': 4, 'five': 5, 'six': 6}
DRAW = r'(?P<n>\d+|one|two|three|four|five|six) letters? (?:are |is )?(?:picked|drawn|chosen|selected|taken) without replacement from (?P<bag>\{[^}]*\}|[a-z]+)'
EVENT = r'(?P<event>sequence [a-z]+|picking (?:\d+ [a-z](?:,? (?:and )?)?)+)'
ASK = r'(?:what is|give|calculate|find|what\'s) (?:the )?prob(?:ability)? of '


def _bag(text):
    text = text.strip()
    if text.startswith('{'):
        pairs = re.findall(r'([a-z])\s*:\s*(\d+)', text)
        if not pairs or len(pairs) != text.count(':'):
            raise Decline('a bag the rules do not read')
        counts = Counter()
        for letter, k in pairs:
            counts[letter] += int(k)
        return counts
    return Counter(text)


@rule('letter-probability', rf'^{DRAW}[.,] {ASK}{EVENT}$', rf'^{ASK}{EVENT} when {DRAW}$')
def letter_probability(p):
    g = p.groups
    n = int(g['n']) if g['n'].isdigit() else COUNT_WORDS[g['n'].lower()]
    bag = _bag(g['bag'].lower())
    total = sum(bag.values())
    if n > total:
        raise BadInput(f'{n} letters cannot be picked without replacement from a bag of only {total}.')
    if n < 1:
        raise BadInput('At least one letter must be picked.')
    event = g['event'].lower()
    contents = ', '.join(f'{k} {c}' for c, k in sorted(bag.items()))
    steps = [step('read', f'The bag holds {total} letters ({contents}); {n} are picked without replacement.', '')]
    if event.startswith('sequence'):
        seq = event.split()[1]
        if len(seq) != n:
            raise BadInput(f'The sequence {seq} has {len(seq)} letters, but {n} are picked.')
        left, factors, prob = Counter(bag), [], sp.Integer(1)
        for i, c in enumerate(seq):
            f = sp.Rational(left[c], total - i) if left[c] > 0 else sp.Integer(0)
            factors.append(f'\\frac{{{left[c]}}}{{{total - i}}}')
            prob *= f
            left[c] = max(0, left[c] - 1)
        steps.append(step('multiply-probabilities', 'Multiply the chance of each pick, with one letter fewer in the bag each time.', ' \\cdot '.join(factors) + f' = {sp.latex(prob)}'))
        return Solution('probability', seq, steps, sp.latex(prob))
    wanted = Counter()
    for k, c in re.findall(r'(\d+) ([a-z])', event):
        wanted[c] += int(k)
    if sum(wanted.values()) != n:
        raise BadInput(f'The letters asked for do not add up to the {n} picked.')
    ways = sp.Integer(1)
    parts = []
    for c, k in sorted(wanted.items()):
        ways *= sp.binomial(bag[c], k)
        parts.append(f'\\binom{{{bag[c]}}}{{{k}}}')
    prob = ways / sp.binomial(total, n)
    steps.append(step('count-combinations', 'Favourable choices over all choices of the letters (order does not matter).',
                      f'\\frac{{{" ".join(parts)}}}{{\\binom{{{total}}}{{{n}}}}} = {sp.latex(prob)}'))
    return Solution('probability', event, steps, sp.latex(prob))
