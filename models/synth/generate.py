"""
Seeded generator of synthetic word problems with gold solutions in MARIO's format.

    /usr/bin/python3 models/synth/generate.py --split train --n 40000 --out models/work/train.jsonl
    /usr/bin/python3 models/synth/generate.py --split heldout --n 500 --out models/work/heldout.jsonl
    /usr/bin/python3 models/synth/generate.py --split calibration --n 400 --out models/work/calibration.jsonl

The gold answer is whatever the gold code prints (run here, in a subprocess-free exec
with captured output). Train and held-out problems use different seeds, and held-out
questions that also occur in train are dropped.
"""
import argparse
import contextlib
import io
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from templates import draw  # noqa: E402

SEEDS = {'train': 1234, 'heldout': 98765, 'ovm': 4242, 'calibration': 5150}
PLAN = '<p>\nLet me compute this with Python.\n</p>'


def run_code(code):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, '<gold>', 'exec'), {'__name__': '__main__'})
    return out.getvalue().strip()


def mario_solution(code, output):
    return (f'{PLAN}\n\n<code>\n```python\n{code}\n```\n</code>\nOutput: {output}\n\n'
            f'<p>\nFinal Answer: ${output}$\n</p>')


def problems(split, n, exclude=()):
    rng = random.Random(SEEDS[split])
    seen = set(exclude)
    while n > 0:
        template, question, code = draw(rng)
        if question in seen:
            continue
        seen.add(question)
        answer = run_code(code)
        yield {'template': template, 'question': question, 'code': code, 'answer': answer,
               'solution': mario_solution(code, answer)}
        n -= 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--split', choices=SEEDS, default='train')
    ap.add_argument('--n', type=int, default=1000)
    ap.add_argument('--out', required=True)
    args = ap.parse_args()
    exclude = set()
    if args.split in ('heldout', 'ovm', 'calibration'):
        # Never evaluate on a question the model was trained on (first 200k train draws).
        exclude = {p['question'] for p in problems('train', 200_000)}
    if args.split in ('ovm', 'calibration'):
        # Problems for labelling value-head samples, or for choosing the tutor's confidence
        # thresholds: none of the held-out ones either (those are the figures reported).
        exclude |= {p['question'] for p in problems('heldout', 5000, exclude)}
    if args.split == 'calibration':
        exclude |= {p['question'] for p in problems('ovm', 1500, exclude)}
    with open(args.out, 'w') as fh:
        for i, p in enumerate(problems(args.split, args.n, exclude)):
            fh.write(json.dumps({'id': f'{args.split}-{i}', **p}) + '\n')


if __name__ == '__main__':
    main()
