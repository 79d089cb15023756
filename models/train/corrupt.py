"""
Wrong solutions made on purpose, for the value head: a gold solution with one number
miscopied from the question, or with a final answer that misquotes the program's output.
These are the two mistakes the demo policy's own samples make (measured on its held-out
samples), and each corrupted solution comes paired with the right one for the same problem,
so the head learns to tell solutions of one problem apart, not which problems are hard.

The corrupted program is run again, so its Output line is what that program prints; a
corruption that prints the gold answer anyway, or fails, is dropped.
"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'synth'))
from generate import mario_solution, run_code  # noqa: E402

NUMBER = re.compile(r'(?<![\w.])\d+(?![\w.])')


def _same(a, b):
    try:
        return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)))
    except ValueError:
        return a == b


def miscopy(problem, rng):
    """The gold program with one of the question's numbers replaced by another number."""
    code, question = problem['code'], problem['question']
    spots = [m for m in NUMBER.finditer(code) if re.search(rf'(?<![\w.]){m.group()}(?![\w.])', question)]
    if not spots:
        return None
    m = rng.choice(spots)
    value = int(m.group())
    # Half anywhere in 1..999, half near the original (the policy's miscopies are of both kinds).
    other = rng.randint(1, 999) if rng.random() < 0.5 else max(1, value + rng.choice([-1, 1]) * rng.randint(1, max(2, value // 3)))
    if other == value:
        return None
    bad = code[:m.start()] + str(other) + code[m.end():]
    try:
        out = run_code(bad)
    except Exception:  # noqa: BLE001 - a corruption that fails is simply not used
        return None
    if not out or _same(out, problem['answer']):
        return None
    return mario_solution(bad, out)


def misquote(problem, rng):
    """The gold solution whose final answer is a number near the printed output, not the output."""
    out = problem['answer']
    try:
        x = float(out)
    except ValueError:
        return None
    digits = len(out.split('.')[1]) if '.' in out else 0
    step = 10 ** -digits
    wrong = x + rng.choice([-1, 1]) * step * rng.randint(1, 50)
    text = f'{wrong:.{digits}f}'
    if _same(text, out):
        return None
    good = mario_solution(problem['code'], out)
    return good[:good.rindex('Final Answer: $')] + f'Final Answer: ${text}$\n</p>'


def corrupted_pairs(problems, n, rng):
    """Up to n (question, right solution, wrong solution) triples, three miscopies to one misquote."""
    out = []
    for _ in range(n * 3):
        if len(out) >= n:
            break
        p = rng.choice(problems)
        wrong = misquote(p, rng) if rng.random() < 0.25 else miscopy(p, rng)
        if wrong:
            out.append((p['question'], p['solution'], wrong))
    return out
