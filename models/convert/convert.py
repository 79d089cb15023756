"""
Converts a Hugging Face checkpoint directory (Llama / Mistral / Qwen2) into a model package
(models/FORMAT.md): ONNX decoder graphs with KV cache and a `values` output (fp32, q8, q4, q4f16),
external-data shards, tokenizer.json, configs and a manifest with sha256 checksums.
Tensors are streamed one at a time (see README.md for memory figures).

    /usr/bin/python3 models/convert/convert.py --checkpoint path/to/MARIO-OVM-7B-v1 --out path/to/package \\
        --id mario-ovm-7b --dtypes q4 --shard-mb 512 --format mario-react --title "MARIO-OVM-7B" --license MIT
    /usr/bin/python3 models/convert/convert.py --checkpoint base/ --adapter lora/ --value-head value_head.safetensors --out pkg/

Refuses (exit 2, one line naming the problem): an unsupported architecture, missing shards,
an adapter whose shapes do not match the base, a value head of the wrong size.
"""
import argparse
import json
import os
import resource
import shutil
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, '..', 'export'))
from checkpoint import Checkpoint, ConvertError  # noqa: E402
from graph import build  # noqa: E402
from make_package import sha256  # noqa: E402
from sentencepiece import to_tokenizer_json  # noqa: E402

# Solution formats (ids, stop strings) are declared once, in workers/formats.json.
with open(os.path.join(HERE, '..', '..', 'workers', 'formats.json'), encoding='utf-8') as _fh:
    SOLUTION_FORMATS = json.load(_fh)

QUANTIZATION = {
    'fp32': 'none',
    'q8': 'int8 weights, per-output-channel scales (DequantizeLinear + MatMul); embedding fp32',
    'q4': '4-bit weights in blocks of 32 with fp32 scales and 4-bit zero points (com.microsoft MatMulNBits); embedding fp32',
    'q4f16': '4-bit symmetric weights in blocks of 32 with fp16 scales (com.microsoft MatMulNBits); float16 inside, '
             'float32 inputs and outputs (cache and logits)',
}


def tokenizer_files(src, out, config):
    """Copies tokenizer.json (or converts tokenizer.model) and writes tokenizer_config.json; returns the eos/pad ids."""
    tj = os.path.join(src, 'tokenizer.json')
    special = {}
    if os.path.exists(tj):
        shutil.copyfile(tj, os.path.join(out, 'tokenizer.json'))
        with open(tj) as fh:
            tok = json.load(fh)
    elif os.path.exists(os.path.join(src, 'tokenizer.model')):
        tok, special = to_tokenizer_json(os.path.join(src, 'tokenizer.model'))
        with open(os.path.join(out, 'tokenizer.json'), 'w') as fh:
            json.dump(tok, fh, ensure_ascii=False)
    else:
        raise ConvertError(f'{src} has neither tokenizer.json nor tokenizer.model')
    tc = {}
    if os.path.exists(os.path.join(src, 'tokenizer_config.json')):
        with open(os.path.join(src, 'tokenizer_config.json')) as fh:
            tc = json.load(fh)
        tc.pop('added_tokens_decoder', None) if not os.path.exists(tj) else None
    for k, v in special.items():
        tc.setdefault(k, v)
    tc.setdefault('tokenizer_class', 'LlamaTokenizerFast' if special else 'PreTrainedTokenizerFast')
    tc.setdefault('clean_up_tokenization_spaces', False)
    with open(os.path.join(out, 'tokenizer_config.json'), 'w') as fh:
        json.dump(tc, fh, indent=2)
    ids = {t['content']: t['id'] for t in tok.get('added_tokens', [])}
    ids.update({k: v for k, v in tok['model'].get('vocab', {}).items() if k not in ids} if isinstance(tok['model'].get('vocab'), dict) else {})

    def token_id(name):
        t = tc.get(name)
        t = t.get('content') if isinstance(t, dict) else t
        return ids.get(t) if t else None
    eos = config.get('eos_token_id')
    eos = eos if isinstance(eos, list) else [eos] if eos is not None else [token_id('eos_token')]
    pad = config.get('pad_token_id')
    pad = pad if pad is not None else token_id('pad_token')
    return [e for e in eos if e is not None], pad if pad is not None else eos[0]


def registry_entry(entry_id):
    """The entry of models/registry.json with this id (ConvertError naming the ids there when there is none)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'registry.json')
    with open(path) as fh:
        models = json.load(fh)['models']
    for m in models:
        if m['id'] == entry_id:
            return m
    raise ConvertError(f'models/registry.json has no entry {entry_id} (it has {", ".join(m["id"] for m in models)})')


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--checkpoint', required=True, help='Hugging Face checkpoint directory')
    ap.add_argument('--adapter', help='PEFT LoRA adapter directory (adapter_config.json + adapter_model.safetensors), merged in')
    ap.add_argument('--value-head', help='value head file (.safetensors/.pth with v_head.summary.weight/bias); found by itself '
                    'when the checkpoint or adapter directory has value_head.* or v_head.* tensors')
    ap.add_argument('--value-activation', choices=['tanh', 'sigmoid'], default='tanh',
                    help="the head's activation in training: tanh (MARIO, trl; values = (1 + tanh z) / 2) or sigmoid")
    ap.add_argument('--out', required=True)
    ap.add_argument('--for-registry', metavar='ID', help="the models/registry.json entry this package is for: its id and solution "
                    "format are used, and a value head it promises (valueHead: true) must be found, or the conversion is refused")
    ap.add_argument('--id')
    ap.add_argument('--version', default='1.0.0')
    ap.add_argument('--title')
    ap.add_argument('--description', default='')
    ap.add_argument('--license', default='unknown')
    ap.add_argument('--format', default='mario-react', choices=list(SOLUTION_FORMATS), help='solution format (workers/formats.json)')
    ap.add_argument('--context', type=int, default=2048)
    ap.add_argument('--dtypes', default='fp32,q8,q4', help='comma-separated: fp32, q8, q4, q4f16')
    ap.add_argument('--external-data', choices=['auto', 'always', 'never'], default='auto',
                    help='auto: external-data shards when the weights exceed 64 MB')
    ap.add_argument('--position-ids', choices=['input', 'derived'], default='input',
                    help="input: the graph takes position_ids; derived: it computes them from attention_mask (exports without that input)")
    ap.add_argument('--logits-to-keep', action='store_true', help='the graph takes num_logits_to_keep and returns only those last positions\' logits')
    ap.add_argument('--kv-dtype', choices=['float32', 'float16'], default='float32',
                    help='dtype of past_key_values / present and of the logits (float16 as fp16 exports have; q4f16 keeps them float32)')
    ap.add_argument('--shard-mb', type=float, default=512, help='largest external-data shard (MiB); a larger single tensor gets a shard of its own')
    args = ap.parse_args(argv)
    t0 = time.time()
    try:
        entry = registry_entry(args.for_registry) if args.for_registry else None
        if entry:
            args.id = args.id or entry['id']
            args.format = entry['solutionFormat']
        dtypes = [d for d in args.dtypes.split(',') if d]
        for d in dtypes:
            if d not in QUANTIZATION:
                raise ConvertError(f'unknown dtype {d}; choose from {", ".join(QUANTIZATION)}')
        if args.kv_dtype == 'float16' and 'q4f16' in dtypes:
            raise ConvertError('--kv-dtype float16 with q4f16: a q4f16 graph keeps float32 cache inputs and outputs, as '
                               "onnx-community's q4f16 exports (keep_io_types)")
        ckpt = Checkpoint(args.checkpoint, args.adapter, args.value_head)
        if entry and entry.get('valueHead') and ckpt.value_head is None:
            raise ConvertError(f'the registry entry {entry["id"]} promises a value head (valueHead: true), but {args.checkpoint} has none: '
                               'no value_head.safetensors / .pth / .bin beside it or the adapter, and no v_head.summary.* tensors in its '
                               'shards; pass the head with --value-head FILE, or convert without --for-registry')
        c = ckpt.config
        os.makedirs(args.out, exist_ok=True)
        eos, pad = tokenizer_files(args.checkpoint, args.out, c)
        est = 4 * c['vocab_size'] * c['hidden_size'] * 2 + 4 * c['num_hidden_layers'] * c['hidden_size'] * (4 * c['hidden_size'] + 3 * c['intermediate_size'])
        external = args.external_data == 'always' or (args.external_data == 'auto' and est > 64 << 20)
        io = {'position_ids': args.position_ids == 'input', 'logits_to_keep': args.logits_to_keep, 'kv_dtype': args.kv_dtype}
        variants, params = build(ckpt, dtypes, args.out, external, int(args.shard_mb * (1 << 20)), args.value_activation,
                                 log=lambda m: print(m, flush=True), io=io)
        if ckpt.lora:
            unused = set(ckpt.lora.pairs) - ckpt.lora.used
            if unused:
                raise ConvertError(f'adapter tensors not used by the decoder: {", ".join(sorted(unused))}')
    except ConvertError as e:
        print(f'convert: {e}', file=sys.stderr)
        return 2

    # config.json: the source's, plus what transformers.js needs to find the external data.
    config = {k: v for k, v in c.items() if k not in ('value_model',)}
    config['torch_dtype'] = 'float32'
    ext = {os.path.basename(v['graph']): len(v['externalData']) for v in variants.values() if v['externalData']}
    if ext:
        config['transformers.js_config'] = {'use_external_data_format': ext}
    if args.kv_dtype == 'float16':
        config.setdefault('transformers.js_config', {})['kv_cache_dtype'] = {d: 'float16' for d in dtypes}
    gen = {}
    if os.path.exists(os.path.join(args.checkpoint, 'generation_config.json')):
        with open(os.path.join(args.checkpoint, 'generation_config.json')) as fh:
            gen = json.load(fh)
    gen.update({'eos_token_id': eos if len(eos) > 1 else eos[0], 'pad_token_id': pad})
    for name, data in (('config.json', config), ('generation_config.json', gen)):
        with open(os.path.join(args.out, name), 'w') as fh:
            json.dump(data, fh, indent=2)

    names = ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json']
    for v in variants.values():
        names += [v['graph']] + v['externalData']
    files = [{'path': n, 'bytes': os.path.getsize(os.path.join(args.out, n)), 'sha256': sha256(os.path.join(args.out, n))} for n in names]
    vh = ckpt.value_head
    manifest = {
        'formatVersion': 1,
        'id': args.id or os.path.basename(os.path.abspath(args.out)),
        'version': args.version,
        'title': args.title or os.path.basename(os.path.abspath(args.checkpoint)),
        'description': args.description,
        'license': args.license,
        'solutionFormat': args.format,
        'contextLength': args.context,
        'architecture': {'family': c['model_type'], 'numLayers': c['num_hidden_layers'], 'numHeads': c['num_attention_heads'],
                         'numKvHeads': c['num_key_value_heads'], 'headDim': c['head_dim'], 'hiddenSize': c['hidden_size'],
                         'vocabSize': c['vocab_size'], 'parameters': int(params), 'tiedEmbeddings': bool(c['tie_word_embeddings'])},
        'variants': [{'dtype': d, 'quantization': QUANTIZATION[d], **variants[d],
                      **({'kvCacheDtype': 'float16'} if args.kv_dtype == 'float16' else {})} for d in dtypes],
        'defaultVariant': {'wasm': 'q8' if 'q8' in dtypes else dtypes[0], 'webgpu': 'q4' if 'q4' in dtypes else dtypes[0]},
        'tokens': {'eos': eos, 'pad': pad},
        'files': files,
        'valueHead': {'present': vh is not None, 'kind': 'mario-ovm' if vh is not None else 'none', 'output': 'values',
                      'activation': 'sigmoid', 'sourceActivation': args.value_activation,
                      'mapping': '(1 + tanh(z)) / 2' if args.value_activation == 'tanh' else 'sigmoid(z)',
                      'readAt': 'last-token', 'perStep': True} if vh is not None else {'present': False},
        'sampling': {'temperature': 0.7, 'topP': 0.95, 'topK': 0, 'maxNewTokens': 1024, 'samples': 8},
        'stop': SOLUTION_FORMATS[args.format]['codeStops'],
        'conversion': {'tool': 'models/convert/convert.py', 'checkpoint': os.path.basename(os.path.abspath(args.checkpoint)),
                       'adapter': os.path.basename(os.path.abspath(args.adapter)) if args.adapter else None,
                       'valueHead': os.path.basename(vh['source']) if vh is not None else None,
                       'shardBytes': int(args.shard_mb * (1 << 20)) if external else None},
    }
    with open(os.path.join(args.out, 'manifest.json'), 'w') as fh:
        json.dump(manifest, fh, indent=2)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    total = sum(f['bytes'] for f in files)
    print(json.dumps({'package': args.out, 'bytes': total, 'seconds': round(time.time() - t0, 2), 'peakRssMiB': round(peak, 1),
                      'variants': {d: v['externalData'] for d, v in variants.items()}}))
    return 0


if __name__ == '__main__':
    sys.exit(main())
