"""
How well a value head tells solutions of one problem apart, measured on an eval trace
(`npm run eval -- ... --out x.json` writes x.trace.jsonl with every sample's text).

    /usr/bin/python3 models/train/value_report.py --ckpt models/work/ovm.pt \
        --trace models/work/s1000-500.trace.jsonl --problems models/work/heldout.jsonl --tokenizer models/work/tokenizer.json

Prints, over the trace's sampled (not greedy) answered solutions:
- pooled AUC: right against wrong samples of all problems together (what `npm run eval` reports);
- pair AUC: right against wrong samples of the same problem, averaged over problems that have both
  (0.5 is chance: a head that only knows which problems are hard scores 0.5 here);
- outlier-free selection by the checkpoint's value at end-of-text (where the solver reads it), against
  majority and pass@N;
- the same selection by a copy check that knows the two mistakes the demo policy makes (a number in
  the program that is not in the question, a final answer that is not the program's output): the
  ceiling for a head that learnt exactly those.
"""
import argparse
import collections
import json
import os
import re
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import Config, Decoder  # noqa: E402
from data import Tokenizer, encode_example  # noqa: E402
from ovm import numeric_equal  # noqa: E402

COMMON = {'1', '2', '60', '100'}  # constants the gold programs use without the question saying them


def key(answer):
    try:
        return str(round(float(answer), 6))
    except ValueError:
        return answer


def copy_check(question, sample):
    numbers = set(re.findall(r'\d+', question))
    written = [n for run in sample['codeRuns'] for n in re.findall(r'\d+', run['code'])]
    miscopied = sum(n not in numbers and n not in COMMON for n in written)
    output = sample['codeRuns'][-1]['output'].strip() if sample['codeRuns'] else None
    misquoted = output is not None and not numeric_equal(output, sample['answer'])
    return -(miscopied + misquoted)


def auc(pos, neg):
    if not pos or not neg:
        return None
    return sum((p > n) + 0.5 * (p == n) for p in pos for n in neg) / (len(pos) * len(neg))


def select(rows, score):
    """Outlier-free: drop answers given once (unless all are), then the best score wins."""
    counts = collections.Counter(key(r['answer']) for r in rows)
    kept = [r for r in rows if counts[key(r['answer'])] >= 2] or rows
    return max(kept, key=score)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--ckpt', required=True)
    ap.add_argument('--trace', required=True)
    ap.add_argument('--problems', required=True, help='the eval set (jsonl with question)')
    ap.add_argument('--tokenizer', required=True)
    ap.add_argument('--limit', type=int)
    args = ap.parse_args()
    torch.set_num_threads(1)
    ck = torch.load(args.ckpt, map_location='cpu')
    model = Decoder(Config(**ck['config']))
    model.load_state_dict(ck['model'])
    model.eval()
    tok = Tokenizer.load(args.tokenizer)
    questions = {}
    with open(args.problems) as fh:
        for line in fh:
            p = json.loads(line)
            questions[p['id']] = p['question']
    with open(args.trace) as fh:
        trace = [json.loads(line) for line in fh][:args.limit]
    problems = []
    for p in trace:
        rows = []
        for s in p['samples']:
            if s['greedy'] or s['answer'] is None:
                continue
            ids, _ = encode_example(tok, p['question'], s['text'])
            ids = ids[:model.c.max_positions]  # ends with end-of-text: the solver feeds it and reads the value there
            x = torch.tensor([ids])
            with torch.no_grad():
                _, values, _ = model(x, torch.ones_like(x), torch.arange(len(ids)).unsqueeze(0), model.empty_past(1))
            rows.append({'answer': s['answer'], 'right': numeric_equal(s['answer'], p['gold']),
                         'value': values[0, -1].item(), 'check': copy_check(questions[p['id']], s)})
        problems.append(rows)
    n = len(problems)
    for name in ('value', 'check'):
        pos = [r[name] for rows in problems for r in rows if r['right']]
        neg = [r[name] for rows in problems for r in rows if not r['right']]
        pairs = [a for a in (auc([r[name] for r in rows if r['right']], [r[name] for r in rows if not r['right']])
                             for rows in problems) if a is not None]
        chosen = sum(select(rows, lambda r: (r[name], r['value']))['right'] for rows in problems if rows)
        print(f'{name:5s}: pooled AUC {auc(pos, neg):.3f}, pair AUC {sum(pairs) / len(pairs):.3f} '
              f'({len(pairs)} problems with both), outlier-free selection {100 * chosen / n:.1f} %')
    majority = 0
    for rows in problems:
        if rows:
            top = collections.Counter(key(r['answer']) for r in rows).most_common(1)[0][0]
            majority += any(r['right'] for r in rows if key(r['answer']) == top)
    print(f'majority {100 * majority / n:.1f} %, pass@N {100 * sum(any(r["right"] for r in rows) for rows in problems) / n:.1f} % '
          f'over {n} problems')


if __name__ == '__main__':
    main()
