"""Number theory: gcd (Euclid), lcm, prime factorisation, divisors, remainders."""
import sympy as sp

from .steps import Decline, step


def gcd(values):
    steps = []
    g = values[0]
    for v in values[1:]:
        a, b = max(g, v), min(g, v)
        subs = []
        while b:
            q, r = divmod(a, b)
            subs.append(step('division', f'${a} = {q} \\cdot {b} + {r}$', f'{a} = {q} \\cdot {b} + {r}'))
            a, b = b, r
        steps.append(step('euclid', f'Euclid\'s algorithm on {max(g, v)} and {min(g, v)}: divide and keep the remainder until it is 0.', f'\\gcd({g}, {v}) = {a}', subs))
        g = a
    return steps, sp.Integer(g)


def _factor_tex(n):
    f = sp.factorint(n)
    return ' \\cdot '.join(f'{p}^{{{e}}}' if e > 1 else f'{p}' for p, e in sorted(f.items()))


def lcm(values):
    subs = [step('prime-factors', f'${v} = {_factor_tex(v)}$', _factor_tex(v)) for v in values]
    result = sp.ilcm(*values)
    steps = [step('prime-factors', 'Write each number as a product of primes.', ', '.join(_factor_tex(v) for v in values), subs),
             step('highest-powers', 'Take each prime to the highest power that appears.', f'{_factor_tex(result)} = {result}')]
    return steps, sp.Integer(result)


def prime_factors(n):
    if n < 2:
        raise Decline('a number below 2 has no prime factorisation')
    subs, m = [], n
    for p, e in sorted(sp.factorint(n).items()):
        for _ in range(e):
            subs.append(step('divide-by-prime', f'${m} \\div {p} = {m // p}$', f'{m // p}'))
            m //= p
    return [step('prime-factors', 'Divide by the smallest prime that goes in, again and again.', _factor_tex(n), subs)], _factor_tex(n)


def divisor_count(n):
    f = sp.factorint(n)
    count = 1
    for e in f.values():
        count *= e + 1
    steps = [step('prime-factors', f'Write ${n}$ as a product of primes.', _factor_tex(n)),
             step('divisor-count', 'A divisor takes each prime to any power from 0 up to its exponent: multiply (exponent + 1) over the primes.',
                  ' \\cdot '.join(f'({e} + 1)' for e in f.values()) + f' = {count}')]
    return steps, sp.Integer(count)


def divisors(n):
    ds = sp.divisors(n)
    steps = [step('divisor-pairs', f'Test each number up to $\\sqrt{{{n}}}$; each divisor $d$ pairs with ${n} / d$.', ', '.join(str(d) for d in ds))]
    return steps, ', '.join(str(d) for d in ds)


def remainder(a_expr, b):
    if b == 0:
        raise Decline('division by zero')
    steps = []
    if a_expr.is_Pow and a_expr.base.is_Integer and a_expr.exp.is_Integer and a_expr.exp > 3:
        base, e = int(a_expr.base), int(a_expr.exp)
        r = base % b
        steps.append(step('reduce-base', f'Only the remainder of the base matters: ${base} \\equiv {r} \\pmod{{{b}}}$.', f'{base}^{{{e}}} \\equiv {r}^{{{e}}} \\pmod{{{b}}}'))
        value = pow(base, e, b)
        order = next((k for k in range(1, b + 1) if pow(r, k, b) == 1 % b), None) if sp.gcd(r, b) == 1 else None
        if order:
            steps.append(step('cycle', f'The powers of {r} repeat every {order} steps mod {b}: ${r}^{{{order}}} \\equiv 1$, and ${e} = {order} \\cdot {e // order} + {e % order}$.', f'{r}^{{{e}}} \\equiv {r}^{{{e % order}}} \\equiv {value} \\pmod{{{b}}}'))
        else:
            steps.append(step('repeated-squaring', 'Multiply step by step, keeping only remainders.', f'{r}^{{{e}}} \\equiv {value} \\pmod{{{b}}}'))
        return steps, sp.Integer(value)
    a = a_expr.doit()
    if not a.is_Integer:
        raise Decline('a remainder of something that is not an integer')
    q, r = divmod(int(a), int(b))
    steps.append(step('division', f'Divide: ${int(a)} = {q} \\cdot {b} + {r}$.', f'{int(a)} = {q} \\cdot {b} + {r}'))
    return steps, sp.Integer(r)


# ---------------------------------------------------------------- wordings answered here

from .rules import rule  # noqa: E402  (the functions above are also used by core.py)
from .steps import BadInput, Solution  # noqa: E402

YES, NO = r'\text{yes}', r'\text{no}'


def _yes_no(truth):
    return YES if truth else NO


@rule('list-prime-factors', r'^(?:what are|list|find|give|name) (?:all )?the (?:distinct )?prime (?:factors|divisors) of (?P<n>\d+)$')
def list_prime_factors(p):
    n = int(p.groups['n'])
    steps, text = prime_factors(n)
    primes = sorted(sp.factorint(n))
    steps.append(step('distinct-primes', 'The prime factors are the different primes in the factorisation.', ', '.join(map(str, primes))))
    return Solution('prime-factors', str(n), steps, ', '.join(map(str, primes)))


@rule('is-prime', r'^is (?P<n>-?\d+) (?P<what>prime|a prime(?: number)?|composite|a composite(?: number)?)$')
def is_prime(p):
    n = int(p.groups['n'])
    composite = 'composite' in p.groups['what'].lower()
    if n < 2:
        truth = False
        steps = [step('definition', f'{n} is below 2: it is neither prime nor composite.', '')]
    else:
        factor = next((d for d in range(2, int(n ** 0.5) + 1) if n % d == 0), None) if n < 10 ** 12 else (None if sp.isprime(n) else min(sp.factorint(n)))
        prime = factor is None
        truth = (not prime) if composite else prime
        if prime:
            steps = [step('trial-division', f'No prime up to $\\sqrt{{{n}}} \\approx {int(n ** 0.5)}$ divides {n}: it is prime.', '')]
        else:
            steps = [step('trial-division', f'${n} = {factor} \\cdot {n // factor}$: it has a divisor besides 1 and itself, so it is composite.', f'{n} = {factor} \\cdot {n // factor}')]
    return Solution('primality', str(n), steps, _yes_no(truth))


@rule('is-factor', r'^is (?P<d>-?\d+) a (?:factor|divisor) of (?P<n>-?\d+)$', r'^does (?P<d>-?\d+) divide (?P<n>-?\d+)$',
      r'^is (?P<n>-?\d+) a multiple of (?P<d>-?\d+)$', r'^is (?P<n>-?\d+) divisible by (?P<d>-?\d+)$')
def is_factor(p):
    d, n = int(p.groups['d']), int(p.groups['n'])
    if d == 0:
        raise BadInput('Nothing is divided by 0: 0 is not a divisor.')
    q, r = divmod(n, d)
    return Solution('divisibility', f'{n} \\div {d}', [step('division', f'${n} = {q} \\cdot {d} + {r}$: the remainder is {r}' + (', so it divides.' if r == 0 else ', so it does not divide.'), f'{n} = {q} \\cdot {d} + {r}')], _yes_no(r == 0))


@rule('parity', r'^is (?P<n>-?\d+) (?P<what>even|odd)(?: or (?:even|odd))?$')
def parity(p):
    n = int(p.groups['n'])
    even = n % 2 == 0
    return Solution('divisibility', str(n), [step('parity', f'The last digit of {n} is {str(abs(n))[-1]}: {n} is ' + ('even.' if even else 'odd.'), '')],
                    _yes_no(even if p.groups['what'].lower() == 'even' else not even))


@rule('common-denominator', r'^(?:what is|find|calculate|give) the (?:least |lowest )?common denominator of (?P<a>-?\d+/\d+) and (?P<b>-?\d+/\d+)$')
def common_denominator(p):
    dens = [int(x.split('/')[1]) for x in (p.groups['a'], p.groups['b'])]
    if 0 in dens:
        raise BadInput('A fraction cannot have the denominator 0.')
    fractions = [sp.Rational(x) for x in (p.groups['a'], p.groups['b'])]
    dens = [int(f.q) for f in fractions]
    steps, value = lcm(dens) if dens[0] != dens[1] else ([], sp.Integer(dens[0]))
    first = step('lowest-terms', 'In lowest terms the fractions are ' + ' and '.join(f'${sp.latex(f)}$' for f in fractions) + '; the common denominator is the least common multiple of the denominators.', '')
    return Solution('lcm', ', '.join(sp.latex(f) for f in fractions), [first] + steps, sp.latex(value))


@rule('modulo', r'^(?:determine|find|what is|compute) the modulo (?P<b>\d+) remainder of (?:the following sum:?|the sum|the product|the number)? ?(?P<a>.+?)$',
      r'^if (?P<a>⟦\d+⟧) is congruent to (?P<v>[a-z]) modulo (?P<b>\d+), where 0 ?(?:\\le|≤|<=) ?(?P=v) ?< ?(?P=b), what is the value of (?P=v)$',
      r'^(?:compute|find|what is) (?P<a>⟦\d+⟧) modulo (?P<b>\d+)$', r'^(?:compute|find|what is) (?P<a>⟦\d+⟧) \(mod (?P<b>\d+)\)$')
def modulo(p):
    from .core import expression
    b = int(p.groups['b'])
    if b < 1:
        raise BadInput('The modulus must be a positive whole number.')
    a = expression(p.segment('a'))
    if a.free_symbols:
        raise Decline('letters in a remainder')
    if a.is_Pow and a.exp == -1 and a.base.is_Integer:
        base = int(a.base)
        if sp.gcd(base, b) != 1:
            raise BadInput(f'{base} has no inverse modulo {b}: they share the factor {sp.gcd(base, b)}.')
        inverse = pow(base, -1, b)
        steps = [step('modular-inverse', f'The inverse of {base} modulo {b} is the $k$ with ${base} k \\equiv 1 \\pmod{{{b}}}$ (extended Euclid).',
                      f'{base} \\cdot {inverse} = {base * inverse} = {base * inverse // b} \\cdot {b} + 1')]
        return Solution('remainder', f'{base}^{{-1}} \\bmod {b}', steps, str(inverse))
    steps, value = remainder(a, b)
    return Solution('remainder', f'{sp.latex(a)} \\bmod {b}', steps, sp.latex(value))
