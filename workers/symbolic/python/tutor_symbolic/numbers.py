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
