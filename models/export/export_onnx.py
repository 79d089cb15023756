"""
Exports a checkpoint to the package's ONNX graph: the decoder inputs and outputs
transformers.js uses (input_ids, attention_mask, position_ids, past_key_values.{i}.key|value
-> logits, present.{i}.key|value) plus `values`, the value head's score per position.
Also writes reference inputs/outputs computed by torch for the ORT comparison
(models/export/verify_ort.mjs).

    /usr/bin/python3 models/export/export_onnx.py --ckpt models/work/sft.pt --out models/work/package/onnx/model.onnx
"""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'train'))
from model import Config, Decoder  # noqa: E402


class Exportable(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, position_ids, *past_flat):
        past = [(past_flat[2 * i], past_flat[2 * i + 1]) for i in range(len(past_flat) // 2)]
        logits, values, present = self.model(input_ids, attention_mask, position_ids, past)
        flat = [t for kv in present for t in kv]
        return (logits, values, *flat)


def share_tied_embedding(path):
    """The output projection is the embedding transposed: keep one copy (a Transpose node), not two."""
    import numpy as np
    import onnx
    from onnx import helper, numpy_helper
    model = onnx.load(path)
    g = model.graph
    inits = {i.name: i for i in g.initializer}
    gather = next(n for n in g.node if n.op_type == 'Gather' and n.input[0] in inits)
    emb = numpy_helper.to_array(inits[gather.input[0]])
    for node in g.node:
        if node.op_type == 'MatMul' and node.input[1] in inits:
            w = numpy_helper.to_array(inits[node.input[1]])
            if w.shape == emb.T.shape and np.array_equal(w, emb.T):
                name = node.input[1]
                g.initializer.remove(inits[name])
                g.node.insert(0, helper.make_node('Transpose', [gather.input[0]], [name], perm=[1, 0], name='lm_head_transpose'))
                onnx.checker.check_model(model)
                onnx.save(model, path)
                return True
    return False


def load_model(path):
    ck = torch.load(path, map_location='cpu')
    config = Config(**ck['config'])
    model = Decoder(config)
    model.load_state_dict(ck['model'])
    if config.lora_rank:
        model.merge_lora()
    model.eval()
    return model, ck


def export(model, out):
    c = model.c
    n = c.num_layers
    b, s, past = 2, 3, 4
    ids = torch.randint(0, c.vocab_size, (b, s))
    mask = torch.ones(b, past + s, dtype=torch.long)
    pos = torch.arange(past, past + s).unsqueeze(0).expand(b, s)
    pkv = [torch.randn(b, c.num_kv_heads, past, c.head_dim) for _ in range(2 * n)]
    in_names = ['input_ids', 'attention_mask', 'position_ids'] + [f'past_key_values.{i}.{k}' for i in range(n) for k in ('key', 'value')]
    out_names = ['logits', 'values'] + [f'present.{i}.{k}' for i in range(n) for k in ('key', 'value')]
    axes = {'input_ids': {0: 'batch', 1: 'sequence'}, 'attention_mask': {0: 'batch', 1: 'total'},
            'position_ids': {0: 'batch', 1: 'sequence'}, 'logits': {0: 'batch', 1: 'sequence'},
            'values': {0: 'batch', 1: 'sequence'}}
    for i in range(n):
        for k in ('key', 'value'):
            axes[f'past_key_values.{i}.{k}'] = {0: 'batch', 2: 'past'}
            axes[f'present.{i}.{k}'] = {0: 'batch', 2: 'total'}
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(Exportable(model), (ids, mask, pos, *pkv), out, input_names=in_names, output_names=out_names,
                          dynamic_axes=axes, opset_version=14, do_constant_folding=True)


def reference(model, tok_ids_a, tok_ids_b):
    """Fixed inputs (two left-padded rows, a past of 0) and torch's outputs, for the ORT check."""
    la, lb = len(tok_ids_a), len(tok_ids_b)
    n = max(la, lb)
    ids = torch.zeros(2, n, dtype=torch.long)
    mask = torch.zeros(2, n, dtype=torch.long)
    ids[0, n - la:] = torch.tensor(tok_ids_a)
    ids[1, n - lb:] = torch.tensor(tok_ids_b)
    mask[0, n - la:] = 1
    mask[1, n - lb:] = 1
    pos = (mask.cumsum(-1) - 1).clamp(min=0)
    with torch.no_grad():
        logits, values, _ = model(ids, mask, pos, model.empty_past(2))
    return {'num_kv_heads': model.c.num_kv_heads, 'head_dim': model.c.head_dim, 'input_ids': ids.tolist(), 'attention_mask': mask.tolist(), 'position_ids': pos.tolist(),
            'last_logits': logits[:, -1].tolist(), 'last_values': values[:, -1].tolist()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--ckpt', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--reference', help='write torch reference outputs here (JSON)')
    ap.add_argument('--tokenizer')
    args = ap.parse_args()
    model, ck = load_model(args.ckpt)
    export(model, args.out)
    share_tied_embedding(args.out)
    print(f'exported {args.out} ({os.path.getsize(args.out) / 1e6:.2f} MB), step {ck["step"]}')
    if args.reference:
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tokenizer'))
        from tokenizer import Tokenizer
        tok = Tokenizer.load(args.tokenizer)
        a = tok.encode('Question: A shop sells 12 pens at $3 each. How much do they cost?\n\nSolution:\n\n')
        b = tok.encode('Question: What is 7 + 8?\n\nSolution:\n\n<p>\n')
        with open(args.reference, 'w') as fh:
            json.dump(reference(model, a, b), fh)


if __name__ == '__main__':
    main()
