"""
Assembles a model package (format: models/FORMAT.md) from a checkpoint and a tokenizer:
config files, the fp32 and q8 ONNX graphs, a manifest with every file's size and sha256,
and reference outputs (greedy tokens of a fixed prompt, values of fixed texts) that the
runtime tests compare against.

    /usr/bin/python3 models/export/make_package.py --ckpt models/work/sft.pt --tokenizer models/work/tokenizer.json \
        --out models/packages/demo-mario-tiny --version 0.1.0
"""
import argparse
import hashlib
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, '..', 'train'))
sys.path.insert(0, os.path.join(HERE, '..', 'tokenizer'))
from export_onnx import export, load_model, share_tied_embedding  # noqa: E402
from quantize import quantize  # noqa: E402
from tokenizer import EOS_ID, PAD_ID, Tokenizer  # noqa: E402

REFERENCE_PROMPT = 'Question: A shop sells 12 pens at $3 each and 5 notebooks at $4 each. How much do they cost in total?\n\nSolution:\n\n'
REFERENCE_TEXTS = [
    REFERENCE_PROMPT + '<p>\nLet me compute this with Python.\n</p>\n\n<code>\n```python\ntotal = 12 * 3 + 5 * 4\nprint(total)\n```\n</code>\nOutput: 56\n\n<p>\nFinal Answer: $56$\n</p>',
    REFERENCE_PROMPT + '<p>\nLet me compute this with Python.\n</p>\n\n<code>\n```python\ntotal = 12 * 3 + 5\nprint(total)\n```\n</code>\nOutput: 41\n\n<p>\nFinal Answer: $41$\n</p>',
]


def sha256(path):
    h = hashlib.sha256()
    with open(path, 'rb') as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest()


@torch.no_grad()
def greedy(model, ids, steps):
    out = []
    ids = list(ids)
    for _ in range(steps):
        x = torch.tensor([ids])
        logits, _, _ = model(x, torch.ones_like(x), torch.arange(len(ids)).unsqueeze(0), model.empty_past(1))
        t = int(logits[0, -1].argmax())
        out.append(t)
        ids.append(t)
        if t == EOS_ID:
            break
    return out


@torch.no_grad()
def last_value(model, ids):
    x = torch.tensor([ids + [EOS_ID]])
    _, values, _ = model(x, torch.ones_like(x), torch.arange(x.shape[1]).unsqueeze(0), model.empty_past(1))
    return float(values[0, -1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--ckpt', required=True)
    ap.add_argument('--tokenizer', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--id', default='demo-mario-tiny')
    ap.add_argument('--version', default='0.1.0')
    ap.add_argument('--context', type=int, default=512)
    ap.add_argument('--selection', help='JSON from scripts/calibrate-confidence.ts: the default selection strategy and the '
                    'confidence thresholds chosen on held-out problems (without it the tutor votes and is never "likely")')
    args = ap.parse_args()

    model, ck = load_model(args.ckpt)
    c = model.c
    tok = Tokenizer.load(args.tokenizer)
    os.makedirs(os.path.join(args.out, 'onnx'), exist_ok=True)
    fp32 = os.path.join(args.out, 'onnx', 'model.onnx')
    export(model, fp32)
    share_tied_embedding(fp32)
    quantize(fp32, os.path.join(args.out, 'onnx', 'model_quantized.onnx'))

    config = {
        'architectures': ['LlamaForCausalLM'], 'model_type': 'llama', 'vocab_size': c.vocab_size,
        'hidden_size': c.hidden_size, 'intermediate_size': c.intermediate_size, 'num_hidden_layers': c.num_layers,
        'num_attention_heads': c.num_heads, 'num_key_value_heads': c.num_kv_heads, 'head_dim': c.head_dim,
        'max_position_embeddings': c.max_positions, 'rms_norm_eps': c.rms_eps, 'rope_theta': c.rope_theta,
        'tie_word_embeddings': True, 'bos_token_id': None, 'eos_token_id': EOS_ID, 'pad_token_id': PAD_ID,
        'use_cache': True, 'torch_dtype': 'float32',
    }
    files = {
        'config.json': config,
        'generation_config.json': {'eos_token_id': EOS_ID, 'pad_token_id': PAD_ID, 'do_sample': True, 'temperature': 0.7, 'top_p': 0.95, 'max_new_tokens': 320},
        'tokenizer_config.json': {'tokenizer_class': 'PreTrainedTokenizerFast', 'model_max_length': args.context, 'eos_token': '<|endoftext|>',
                                  'pad_token': '<|pad|>', 'bos_token': None, 'add_bos_token': False, 'add_eos_token': False,
                                  'clean_up_tokenization_spaces': False},
    }
    for name, data in files.items():
        with open(os.path.join(args.out, name), 'w') as fh:
            json.dump(data, fh, indent=2)
    with open(args.tokenizer) as src, open(os.path.join(args.out, 'tokenizer.json'), 'w') as dst:
        dst.write(src.read())

    prompt_ids = tok.encode(REFERENCE_PROMPT)
    reference = {
        'prompt': REFERENCE_PROMPT,
        'promptTokens': prompt_ids,
        'greedyTokens': greedy(model, prompt_ids, 48),
        'texts': REFERENCE_TEXTS,
        'values': [last_value(model, tok.encode(t)) for t in REFERENCE_TEXTS],
        'computedBy': 'torch (fp32), full recomputation',
    }
    names = ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx', 'onnx/model_quantized.onnx']
    manifest = {
        'formatVersion': 1,
        'id': args.id,
        'version': args.version,
        'title': 'Demo tutor model (tiny, MARIO format)',
        'description': 'A small Llama-shaped policy with an outcome value head, trained by this project on synthetic word problems.',
        'license': 'MIT',
        'solutionFormat': 'mario',
        'contextLength': args.context,
        'architecture': {'family': 'llama', 'numLayers': c.num_layers, 'numHeads': c.num_heads, 'numKvHeads': c.num_kv_heads,
                         'headDim': c.head_dim, 'hiddenSize': c.hidden_size, 'vocabSize': c.vocab_size,
                         'parameters': model.num_parameters()},
        'variants': [
            {'dtype': 'fp32', 'quantization': 'none', 'graph': 'onnx/model.onnx', 'externalData': []},
            {'dtype': 'q8', 'quantization': 'int8 weights, per-output-channel scales (DequantizeLinear + MatMul)',
             'graph': 'onnx/model_quantized.onnx', 'externalData': []},
        ],
        'defaultVariant': {'wasm': 'q8', 'webgpu': 'fp32'},
        'tokens': {'eos': [EOS_ID], 'pad': PAD_ID},
        'files': [{'path': n, 'bytes': os.path.getsize(os.path.join(args.out, n)), 'sha256': sha256(os.path.join(args.out, n))} for n in names],
        'valueHead': {'present': True, 'kind': 'merged-lora-multitask' if ck.get('kind') == 'ovm' else 'untrained' if ck.get('kind') == 'sft' else ck.get('kind'),
                      'output': 'values', 'activation': 'sigmoid', 'readAt': 'last-token', 'perStep': True},
        'sampling': {'temperature': 0.7, 'topP': 0.95, 'topK': 0, 'maxNewTokens': 320, 'samples': 8},
        'stop': ['</code>'],
        'training': {'checkpoint': os.path.basename(args.ckpt), 'kind': ck.get('kind'), 'step': ck.get('step')},
        'reference': reference,
    }
    if args.selection:
        with open(args.selection) as fh:
            chosen = json.load(fh)
        manifest['selection'] = {'strategy': chosen['strategy'], 'confidence': chosen['chosen'],
                                 'measuredOn': chosen['calibration']['data']}
    with open(os.path.join(args.out, 'manifest.json'), 'w') as fh:
        json.dump(manifest, fh, indent=2)
    total = sum(f['bytes'] for f in manifest['files'])
    print(f'package {args.out}: {total / 1e6:.2f} MB, greedy reference {len(reference["greedyTokens"])} tokens')


if __name__ == '__main__':
    main()
