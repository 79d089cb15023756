"""
Multi-task OVM fine-tuning with LoRA, as MARIO does: the same network keeps its
language-modelling loss on correct solutions and learns a value head that predicts,
at every token of a sampled solution, whether that solution's final answer is right
(outcome supervision). LoRA adapters sit on every attention and MLP projection; the
base weights stay frozen; at the end the adapters are merged so the package carries
one network that generates and scores.

Labelled samples come from the solver's own loop on training problems:
    npm run eval -- --model demo-mario-tiny --data models/work/train.jsonl --limit 1200 --samples 8 \
        --out models/work/samples.json          # writes models/work/samples.trace.jsonl
    /usr/bin/python3 models/train/ovm.py --base models/work/sft.pt --samples models/work/samples.trace.jsonl \
        --tokenizer models/work/tokenizer.json --out models/work/ovm.pt
"""
import argparse
import json
import math
import os
import random
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import Config, Decoder  # noqa: E402
from data import Tokenizer, encode_example  # noqa: E402
from corrupt import corrupted_pairs  # noqa: E402


def numeric_equal(a, b):
    try:
        x, y = float(str(a).replace(',', '').strip('$ ')), float(str(b).replace(',', '').strip('$ '))
    except ValueError:
        return str(a).strip() == str(b).strip()
    return abs(x - y) <= 1e-4 * max(abs(x), abs(y)) or x == y


def load_samples(path, tok, max_len):
    """(ids, loss mask, label) rows, and the problems with both right and wrong samples as (right rows, wrong rows)."""
    rows, mixed = [], []
    with open(path) as fh:
        for line in fh:
            p = json.loads(line)
            right, wrong = [], []
            for s in p['samples']:
                if s['answer'] is None or s['greedy']:
                    continue
                ids, mask = encode_example(tok, p['question'], s['text'])
                if len(ids) > max_len:
                    continue
                row = (ids, mask, 1.0 if numeric_equal(s['answer'], p['gold']) else 0.0)
                rows.append(row)
                (right if row[2] == 1.0 else wrong).append(row)
            if right and wrong:
                mixed.append((right, wrong))
    return rows, mixed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--base', required=True)
    ap.add_argument('--samples', required=True)
    ap.add_argument('--tokenizer', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--steps', type=int, default=400)
    ap.add_argument('--batch', type=int, default=32)
    ap.add_argument('--lr', type=float, default=2e-3)
    ap.add_argument('--rank', type=int, default=8)
    ap.add_argument('--lm-weight', type=float, default=0.5)
    ap.add_argument('--pair-fraction', type=float, default=0.0,
                    help='share of each batch drawn as (right, wrong) pairs of the same problem, so the head must '
                         'tell solutions of one problem apart rather than learn which problems are hard')
    ap.add_argument('--rank-weight', type=float, default=0.0,
                    help='weight of a pairwise ranking loss on the (right, wrong) pairs: the right solution\'s value at its '
                         'end-of-text token must exceed the wrong one\'s (needs --pair-fraction or --corrupt-fraction)')
    ap.add_argument('--corrupt-from', help='training problems (jsonl with gold solutions) to make corrupted pairs from')
    ap.add_argument('--corrupt-pairs', type=int, default=20000, help='how many (right, corrupted) pairs to make')
    ap.add_argument('--corrupt-fraction', type=float, default=0.0,
                    help='share of each batch drawn as (gold, corrupted) pairs of one problem (models/train/corrupt.py)')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--save-every', type=int, default=100, help='resumable state (<out>.state) every this many steps')
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = random.Random(args.seed)

    base = torch.load(args.base, map_location='cpu')
    config = Config(**{**base['config'], 'lora_rank': args.rank})
    model = Decoder(config)
    missing, unexpected = model.load_state_dict(base['model'], strict=False)
    assert not unexpected and all('.a' in m or '.b' in m for m in missing), (missing, unexpected)
    for name, p in model.named_parameters():
        p.requires_grad = name.endswith('.a') or name.endswith('.b') or name.startswith('value_head')
    tok = Tokenizer.load(args.tokenizer)
    rows, mixed = load_samples(args.samples, tok, config.max_positions)
    pos = [r for r in rows if r[2] == 1.0]
    neg = [r for r in rows if r[2] == 0.0]
    print(f'{len(rows)} labelled samples: {len(pos)} right, {len(neg)} wrong; {len(mixed)} problems with both', flush=True)
    pairs = int(args.batch * args.pair_fraction) // 2
    made = int(args.batch * args.corrupt_fraction) // 2
    ranked = 2 * (pairs + made) if args.rank_weight else 0  # batch rows, in (right, wrong) order, that the ranking loss reads
    synthetic = []
    if made:
        with open(args.corrupt_from) as fh:
            problems = [json.loads(line) for line in fh]
        for question, right, wrong in corrupted_pairs(problems, args.corrupt_pairs, random.Random(args.seed + 1)):
            a, b = encode_example(tok, question, right), encode_example(tok, question, wrong)
            if max(len(a[0]), len(b[0])) <= config.max_positions:
                synthetic.append(((*a, 1.0), (*b, 0.0)))
        print(f'{len(synthetic)} corrupted pairs from {len(problems)} problems', flush=True)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.0)
    first_step = 1
    state_path = args.out + '.state'
    if os.path.exists(state_path):
        st = torch.load(state_path)
        model.load_state_dict(st['model'])
        opt.load_state_dict(st['optimizer'])
        rng.setstate(st['rng'])
        torch.set_rng_state(st['torch_rng'])
        first_step = st['step'] + 1
        print(f'resumed at step {st["step"]}', flush=True)
    started = time.time()
    for step in range(first_step, args.steps + 1):
        # Balanced batches: half right, half wrong.
        batch = []
        for _ in range(pairs):
            right, wrong = rng.choice(mixed)
            batch += [rng.choice(right), rng.choice(wrong)]
        for _ in range(made):
            batch += list(rng.choice(synthetic))
        rest = args.batch - len(batch)
        batch += [rng.choice(pos) for _ in range(rest // 2)] + [rng.choice(neg) for _ in range(rest - rest // 2)]
        n = max(len(b[0]) for b in batch)
        ids = torch.zeros(len(batch), n, dtype=torch.long)
        attn = torch.zeros(len(batch), n, dtype=torch.long)
        lm_mask = torch.zeros(len(batch), n)
        solution = torch.zeros(len(batch), n)
        labels = torch.tensor([b[2] for b in batch])
        for i, (x, m, y) in enumerate(batch):
            ids[i, :len(x)] = torch.tensor(x)
            attn[i, :len(x)] = 1
            lm_mask[i, :len(m)] = torch.tensor(m, dtype=torch.float) * y  # LM loss only on right solutions
            first = next(j for j, v in enumerate(m) if v == 1)
            solution[i, first:len(x)] = 1.0
        posn = torch.arange(n).unsqueeze(0).expand_as(ids)
        logits, values, _ = model(ids, attn, posn, model.empty_past(len(batch)))
        ce = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1), reduction='none')
        lm = (ce * lm_mask[:, 1:].reshape(-1)).sum() / lm_mask[:, 1:].sum().clamp(min=1)
        target = labels.unsqueeze(1).expand_as(values)
        vl = (F.binary_cross_entropy(values.clamp(1e-6, 1 - 1e-6), target, reduction='none') * solution).sum() / solution.sum()
        loss = vl + args.lm_weight * lm
        if ranked:
            # Value at each pair member's end-of-text token (where the solver reads it), as a logit.
            last = torch.tensor([len(b[0]) - 1 for b in batch[:ranked]])
            v = values[torch.arange(ranked), last].clamp(1e-6, 1 - 1e-6)
            logit = torch.log(v) - torch.log1p(-v)
            rank = F.softplus(logit[1::2] - logit[0::2]).mean()
            loss = loss + args.rank_weight * rank
        lr = args.lr * 0.5 * (1 + math.cos(math.pi * step / args.steps))
        for g in opt.param_groups:
            g['lr'] = lr
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        if step % 20 == 0:
            extra = f' rank {rank.item():.4f}' if ranked else ''
            print(f'step {step} value {vl.item():.4f} lm {lm.item():.4f}{extra} {(step - first_step + 1) / (time.time() - started):.2f} steps/s', flush=True)
        if step % args.save_every == 0 and step < args.steps:
            torch.save({'model': model.state_dict(), 'optimizer': opt.state_dict(), 'rng': rng.getstate(),
                        'torch_rng': torch.get_rng_state(), 'step': step}, state_path + '.tmp')
            os.replace(state_path + '.tmp', state_path)
    model.merge_lora()
    torch.save({'model': model.state_dict(), 'config': model.c.to_dict(), 'args': vars(args), 'step': base['step'],
                'ovm_steps': args.steps, 'kind': 'ovm', 'base': os.path.basename(args.base)}, args.out)
    if os.path.exists(state_path):
        os.remove(state_path)
    print('saved', args.out, flush=True)


if __name__ == '__main__':
    main()
