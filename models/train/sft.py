"""
Supervised fine-tuning of the demo policy on gold MARIO-format solutions, loss masked
on the prompt and on interpreter output. Resumable: a checkpoint (weights, optimizer,
config, args, step) is written every --save-every steps and at the end.

    /usr/bin/python3 models/train/sft.py --data models/work/train.jsonl --tokenizer models/work/tokenizer.json \
        --out models/work/sft.pt --steps 3000

Defaults fit about 45 minutes on one core of a laptop-class CPU.
"""
import argparse
import math
import os
import random
import shutil
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import Config, Decoder  # noqa: E402
from data import Tokenizer, load  # noqa: E402


def batches(examples, batch_size, rng):
    while True:
        order = list(range(len(examples)))
        rng.shuffle(order)
        for i in range(0, len(order) - batch_size + 1, batch_size):
            yield [examples[j] for j in order[i:i + batch_size]]


def collate(batch):
    n = max(len(ids) for ids, _, _ in batch)
    ids = torch.zeros(len(batch), n, dtype=torch.long)
    mask = torch.zeros(len(batch), n, dtype=torch.long)
    loss_mask = torch.zeros(len(batch), n)
    for i, (x, m, _) in enumerate(batch):
        ids[i, :len(x)] = torch.tensor(x)
        mask[i, :len(x)] = 1
        loss_mask[i, :len(m)] = torch.tensor(m, dtype=torch.float)
    return ids, mask, loss_mask


def lm_loss(model, ids, mask, loss_mask):
    pos = torch.arange(ids.shape[1]).unsqueeze(0).expand_as(ids)
    logits, values, _ = model(ids, mask, pos, model.empty_past(ids.shape[0]))
    target = ids[:, 1:]
    weight = loss_mask[:, 1:]
    ce = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), target.reshape(-1), reduction='none')
    return (ce * weight.reshape(-1)).sum() / weight.sum(), values


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', required=True)
    ap.add_argument('--tokenizer', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--steps', type=int, default=3000)
    ap.add_argument('--batch', type=int, default=32)
    ap.add_argument('--lr', type=float, default=3e-3)
    ap.add_argument('--warmup', type=int, default=100)
    ap.add_argument('--save-every', type=int, default=200)
    ap.add_argument('--keep', action='store_true', help='also keep a copy of every periodic checkpoint as <out>-<step>.pt')
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--hidden', type=int, default=160)
    ap.add_argument('--layers', type=int, default=4)
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = random.Random(args.seed)
    tok = Tokenizer.load(args.tokenizer)
    examples = load(args.data, tok)
    config = Config(vocab_size=tok.size, hidden_size=args.hidden, num_layers=args.layers)
    model = Decoder(config)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.1, betas=(0.9, 0.95))
    step = 0
    if os.path.exists(args.out):
        ck = torch.load(args.out)
        model.load_state_dict(ck['model'])
        opt.load_state_dict(ck['optimizer'])
        step = ck['step']
        rng.setstate(ck['rng'])
        print(f'resumed at step {step}', flush=True)
    print(f'{model.num_parameters():,} parameters, {len(examples)} examples', flush=True)

    def save():
        torch.save({'model': model.state_dict(), 'optimizer': opt.state_dict(), 'config': config.to_dict(),
                    'args': vars(args), 'step': step, 'rng': rng.getstate(), 'kind': 'sft'}, args.out + '.tmp')
        os.replace(args.out + '.tmp', args.out)

    stream = batches(examples, args.batch, rng)
    for _ in range(step):  # keep the data order reproducible across resumes
        next(stream)
    started = time.time()
    model.train()
    while step < args.steps:
        lr = args.lr * min(1, (step + 1) / args.warmup) * 0.5 * (1 + math.cos(math.pi * step / args.steps))
        for g in opt.param_groups:
            g['lr'] = lr
        loss, _ = lm_loss(model, *collate(next(stream)))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        if step % 20 == 0:
            rate = step / max(1e-9, time.time() - started)
            print(f'step {step} loss {loss.item():.4f} lr {lr:.2e} {rate:.2f} steps/s', flush=True)
        if step % args.save_every == 0:
            save()
            if args.keep:
                shutil.copyfile(args.out, f'{os.path.splitext(args.out)[0]}-{step}.pt')
    save()
    print('done', flush=True)


if __name__ == '__main__':
    main()
