"""Checks of the checkpoint converter (models/convert/) on tiny random checkpoints in exact Hugging Face
layout: a Llama with a PEFT LoRA adapter and a MARIO value head (safetensors shards + index), a Qwen2
with q/k/v biases and tied embeddings (pytorch_model.bin), a Mistral with only a sentencepiece
tokenizer.model. ONNX Runtime (Node, onnxruntime-node) must match a direct torch computation of the
same weights (adapter unmerged), for a prefill and a KV-cached step, in fp32, q8 and q4.

    /usr/bin/python3 -m unittest models.tests.test_convert -v     (or: npm run test:models)
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import unittest

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..'))
sys.path.insert(0, os.path.join(ROOT, 'models', 'convert'))
sys.path.insert(0, os.path.join(ROOT, 'models', 'export'))
from checkpoint import write_safetensors  # noqa: E402
from sentencepiece import encode_bpe  # noqa: E402

CONVERT = os.path.join(ROOT, 'models', 'convert', 'convert.py')
DEMO_TOKENIZER = os.path.join(ROOT, 'models', 'packages', 'demo-mario-tiny', 'tokenizer.json')
HAVE_ORT = os.path.exists(os.path.join(ROOT, 'node_modules', 'onnxruntime-node'))
# Against torch on the float32 weights: (max |logit diff| as a fraction of max |logit|, max |value diff|).
# Measured (README.md): fp32 <= 1.2e-5 absolute; q8 <= 3.1 % and 0.032; q4 <= 38 % and 0.30 -- random weights
# have no structure for 4 bits to keep. Every quantized graph must also match torch on the same
# dequantized weights within 1e-3 (measured <= 1.3e-5): that is the check of the graph itself.
TOLERANCE = {'fp32': (1e-5, 1e-5), 'q8': (0.06, 0.06), 'q4': (0.6, 0.4), 'q4f16': (0.6, 0.6)}
# Against torch on the same (dequantized) weights: (logits, relative to the largest logit; values): float32
# graphs to rounding, q4f16's float16 activations to about three significant digits.
SAME_WEIGHTS = {'q8': (5e-5, 1e-4), 'q4': (5e-5, 1e-4), 'q4f16': (2e-3, 2e-3)}
FIGURES = {}


# ----------------------------------------------------------------------------- fixtures

def random_weights(cfg, seed, bias=False, tied=False):
    g = torch.Generator().manual_seed(seed)
    H, I, V = cfg['hidden_size'], cfg['intermediate_size'], cfg['vocab_size']
    nh, nkv = cfg['num_attention_heads'], cfg['num_key_value_heads']
    hd = cfg.get('head_dim') or H // nh

    def r(*shape, std=None):  # default: 1/sqrt(fan in), so activations stay of order one
        return torch.randn(*shape, generator=g) * (std if std is not None else shape[-1] ** -0.5)
    sd = {'model.embed_tokens.weight': r(V, H, std=1.0), 'model.norm.weight': 1 + r(H, std=0.1)}
    for i in range(cfg['num_hidden_layers']):
        p = f'model.layers.{i}.'
        sd.update({p + 'input_layernorm.weight': 1 + r(H, std=0.1), p + 'post_attention_layernorm.weight': 1 + r(H, std=0.1),
                   p + 'self_attn.q_proj.weight': r(nh * hd, H), p + 'self_attn.k_proj.weight': r(nkv * hd, H),
                   p + 'self_attn.v_proj.weight': r(nkv * hd, H), p + 'self_attn.o_proj.weight': r(H, nh * hd),
                   p + 'mlp.gate_proj.weight': r(I, H), p + 'mlp.up_proj.weight': r(I, H), p + 'mlp.down_proj.weight': r(H, I)})
        if bias:
            sd.update({p + 'self_attn.q_proj.bias': r(nh * hd, std=0.5), p + 'self_attn.k_proj.bias': r(nkv * hd, std=0.5),
                       p + 'self_attn.v_proj.bias': r(nkv * hd, std=0.5)})
    if not tied:
        sd['lm_head.weight'] = r(V, H, std=0.5)
    return sd


def demo_vocab_size():
    with open(DEMO_TOKENIZER) as fh:
        t = json.load(fh)
    return 1 + max([*t['model']['vocab'].values(), *(a['id'] for a in t['added_tokens'])])


def write_fast_tokenizer(base):
    """The demo tokenizer as a checkpoint's tokenizer.json and tokenizer_config.json."""
    shutil.copyfile(DEMO_TOKENIZER, os.path.join(base, 'tokenizer.json'))
    with open(os.path.join(base, 'tokenizer_config.json'), 'w') as fh:
        json.dump({'eos_token': '<|endoftext|>', 'pad_token': '<|pad|>', 'tokenizer_class': 'PreTrainedTokenizerFast'}, fh)


def write_value_head(base, hidden, g, scale, bias):
    """A random value head (drawn from generator g) in value_head.pth, as MARIO's save_value_head.py writes it; returns it."""
    vh = {'v_head.summary.weight': torch.randn(1, hidden, generator=g) * scale, 'v_head.summary.bias': torch.tensor([bias])}
    torch.save(vh, os.path.join(base, 'value_head.pth'))
    return vh


def make_llama(d):
    """Llama, bf16 safetensors in two shards with an index, a LoRA adapter on q/v/down, a value head file."""
    cfg = {'architectures': ['LlamaForCausalLM'], 'model_type': 'llama', 'vocab_size': demo_vocab_size(), 'hidden_size': 64,
           'intermediate_size': 96, 'num_hidden_layers': 2, 'num_attention_heads': 4, 'num_key_value_heads': 2,
           'max_position_embeddings': 256, 'rms_norm_eps': 1e-6, 'rope_theta': 10000.0, 'hidden_act': 'silu',
           'tie_word_embeddings': False, 'bos_token_id': None, 'eos_token_id': 1, 'pad_token_id': 0, 'torch_dtype': 'bfloat16',
           'value_model': True}
    sd = {k: v.to(torch.bfloat16) for k, v in random_weights(cfg, 1).items()}
    base = os.path.join(d, 'llama')
    os.makedirs(base)
    keys = list(sd)
    half = len(keys) // 2
    wm = {}
    for n, part in enumerate((keys[:half], keys[half:]), 1):
        name = f'model-{n:05d}-of-00002.safetensors'
        write_safetensors(os.path.join(base, name), {k: sd[k] for k in part})
        wm.update({k: name for k in part})
    with open(os.path.join(base, 'model.safetensors.index.json'), 'w') as fh:
        json.dump({'metadata': {'total_size': 0}, 'weight_map': wm}, fh)
    json.dump(cfg, open(os.path.join(base, 'config.json'), 'w'))
    write_fast_tokenizer(base)
    g = torch.Generator().manual_seed(2)
    vh = write_value_head(base, 64, g, scale=0.3, bias=0.1)
    adapter = os.path.join(d, 'lora')
    os.makedirs(adapter)
    r, alpha = 4, 8
    lora = {}
    for i in range(2):
        for mod, (o, ii) in (('self_attn.q_proj', (64, 64)), ('self_attn.v_proj', (32, 64)), ('mlp.down_proj', (64, 96))):
            lora[f'base_model.model.model.layers.{i}.{mod}.lora_A.weight'] = torch.randn(r, ii, generator=g) * 0.2
            lora[f'base_model.model.model.layers.{i}.{mod}.lora_B.weight'] = torch.randn(o, r, generator=g) * 0.2
    write_safetensors(os.path.join(adapter, 'adapter_model.safetensors'), lora)
    json.dump({'peft_type': 'LORA', 'r': r, 'lora_alpha': alpha, 'target_modules': ['q_proj', 'v_proj', 'down_proj'],
               'base_model_name_or_path': 'llama', 'fan_in_fan_out': False, 'bias': 'none'},
              open(os.path.join(adapter, 'adapter_config.json'), 'w'))
    lora_f = {k: v.float() for k, v in lora.items()}
    return base, adapter, cfg, {k: v.float() for k, v in sd.items()}, lora_f, alpha / r, {k: v.float() for k, v in vh.items()}


def make_qwen2(d):
    """Qwen2: q/k/v biases, tied embeddings, one fp32 pytorch_model.bin, widths not multiples of 32."""
    cfg = {'architectures': ['Qwen2ForCausalLM'], 'model_type': 'qwen2', 'vocab_size': demo_vocab_size(), 'hidden_size': 48,
           'intermediate_size': 80, 'num_hidden_layers': 2, 'num_attention_heads': 3, 'num_key_value_heads': 1,
           'max_position_embeddings': 256, 'rms_norm_eps': 1e-6, 'rope_theta': 1000000.0, 'hidden_act': 'silu',
           'tie_word_embeddings': True, 'eos_token_id': 1, 'pad_token_id': 0, 'torch_dtype': 'float32'}
    sd = random_weights(cfg, 3, bias=True, tied=True)
    base = os.path.join(d, 'qwen2')
    os.makedirs(base)
    torch.save(sd, os.path.join(base, 'pytorch_model.bin'))
    json.dump(cfg, open(os.path.join(base, 'config.json'), 'w'))
    shutil.copyfile(DEMO_TOKENIZER, os.path.join(base, 'tokenizer.json'))
    return base, cfg, sd


# sentencepiece: a hand-written ModelProto (BPE, byte fallback), as Llama's tokenizer.model is laid out.
def _varint(n):
    out = b''
    while True:
        b, n = n & 0x7F, n >> 7
        out += bytes([b | (0x80 if n else 0)])
        if not n:
            return out


def _field(num, wire, payload):
    key = _varint(num << 3 | wire)
    if wire == 2:
        return key + _varint(len(payload)) + payload
    return key + payload


SPM_MERGED = ['▁t', 'he', '▁the', 'in', '▁a', 'er', '▁is', 'is', 'at', '▁c', '▁ca', '▁cat', '12', '▁1', '▁12', 'ou', '▁s', 'at.']
SPM_CHARS = list('▁abcdefghijklmnopqrstuvwxyzT0123456789.,?!+=$')


def make_spm(path):
    pieces = [('<unk>', 0.0, 2), ('<s>', 0.0, 3), ('</s>', 0.0, 3)] + [(f'<0x{i:02X}>', 0.0, 6) for i in range(256)]
    pieces += [(p, -float(i), 1) for i, p in enumerate(SPM_MERGED)]
    pieces += [(p, -100.0 - i, 1) for i, p in enumerate(SPM_CHARS)]
    buf = b''
    for p, s, k in pieces:
        buf += _field(1, 2, _field(1, 2, p.encode()) + _field(2, 5, struct.pack('<f', s)) + _field(3, 0, _varint(k)))
    buf += _field(2, 2, _field(3, 0, _varint(2)) + _field(35, 0, _varint(1)))  # trainer_spec: model_type BPE, byte_fallback
    buf += _field(3, 2, _field(1, 2, b'identity') + _field(3, 0, _varint(1)))  # normalizer_spec: add_dummy_prefix
    with open(path, 'wb') as fh:
        fh.write(buf)
    return len(pieces)


def make_mistral_spm(d):
    base = os.path.join(d, 'mistral')
    os.makedirs(base)
    vocab = make_spm(os.path.join(base, 'tokenizer.model'))
    cfg = {'architectures': ['MistralForCausalLM'], 'model_type': 'mistral', 'vocab_size': vocab, 'hidden_size': 32,
           'intermediate_size': 64, 'num_hidden_layers': 1, 'num_attention_heads': 2, 'num_key_value_heads': 1,
           'max_position_embeddings': 256, 'rms_norm_eps': 1e-5, 'rope_theta': 10000.0, 'hidden_act': 'silu', 'sliding_window': 4096,
           'bos_token_id': 1, 'eos_token_id': 2, 'tie_word_embeddings': False}
    sd = random_weights(cfg, 5)
    write_safetensors(os.path.join(base, 'model.safetensors'), {k: v.half() for k, v in sd.items()})
    json.dump(cfg, open(os.path.join(base, 'config.json'), 'w'))
    json.dump({'add_bos_token': True, 'add_eos_token': False, 'tokenizer_class': 'LlamaTokenizer'},
              open(os.path.join(base, 'tokenizer_config.json'), 'w'))
    return base, cfg, {k: v.half().float() for k, v in sd.items()}


# ----------------------------------------------------------------------------- torch reference (HF semantics)

@torch.no_grad()
def torch_forward(sd, cfg, ids, mask, lora=None, lora_scale=0.0, vhead=None, kv_half=False):
    """Full recomputation in float32 with Hugging Face's Llama/Mistral/Qwen2 equations; LoRA applied
    unmerged (x W^T + s (x A^T) B^T); values = (1 + tanh(v_head(h))) / 2 on the final normed hidden state.
    kv_half: keys and values rounded to float16 (a float16 cache) and the logits too (float16 outputs)."""
    H, nh, nkv = cfg['hidden_size'], cfg['num_attention_heads'], cfg['num_key_value_heads']
    hd = cfg.get('head_dim') or H // nh
    eps = cfg['rms_norm_eps']
    ids, mask = torch.tensor(ids), torch.tensor(mask)
    pos = (mask.cumsum(-1) - 1).clamp(min=0)
    b, n = ids.shape

    def lin(x, name):
        y = x @ sd[name + '.weight'].T
        if name + '.bias' in sd:
            y = y + sd[name + '.bias']
        a = (lora or {}).get(f'base_model.model.{name}.lora_A.weight')
        if a is not None:
            y = y + lora_scale * (x @ a.T) @ lora[f'base_model.model.{name}.lora_B.weight'].T
        return y

    def norm(x, w):
        return w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))

    def rot(x):
        x1, x2 = x[..., :hd // 2], x[..., hd // 2:]
        return torch.cat((-x2, x1), -1)
    inv = 1.0 / (cfg['rope_theta'] ** (torch.arange(0, hd, 2).float() / hd))
    f = pos[..., None].float() * inv
    emb = torch.cat((f, f), -1)[:, None]
    cos, sin = emb.cos(), emb.sin()
    allowed = torch.tril(torch.ones(n, n, dtype=torch.bool))[None, None] & (mask[:, None, None, :] > 0)
    x = sd['model.embed_tokens.weight'][ids]
    for i in range(cfg['num_hidden_layers']):
        p = f'model.layers.{i}.'
        h = norm(x, sd[p + 'input_layernorm.weight'])
        q = lin(h, p + 'self_attn.q_proj').view(b, n, nh, hd).transpose(1, 2)
        k = lin(h, p + 'self_attn.k_proj').view(b, n, nkv, hd).transpose(1, 2)
        v = lin(h, p + 'self_attn.v_proj').view(b, n, nkv, hd).transpose(1, 2)
        q, k = q * cos + rot(q) * sin, k * cos + rot(k) * sin
        if kv_half:
            k, v = k.half().float(), v.half().float()
        k, v = k.repeat_interleave(nh // nkv, 1), v.repeat_interleave(nh // nkv, 1)
        att = (q @ k.transpose(-1, -2)) / hd ** 0.5
        att = att.masked_fill(~allowed, torch.finfo(torch.float32).min).softmax(-1)
        x = x + lin((att @ v).transpose(1, 2).reshape(b, n, nh * hd), p + 'self_attn.o_proj')
        h = norm(x, sd[p + 'post_attention_layernorm.weight'])
        x = x + lin(torch.nn.functional.silu(lin(h, p + 'mlp.gate_proj')) * lin(h, p + 'mlp.up_proj'), p + 'mlp.down_proj')
    h = norm(x, sd['model.norm.weight'])
    logits = h @ sd.get('lm_head.weight', sd['model.embed_tokens.weight']).T
    if kv_half:
        logits = logits.half().float()
    values = None
    if vhead is not None:
        values = (1 + torch.tanh(h @ vhead['v_head.summary.weight'].T + vhead['v_head.summary.bias'])).squeeze(-1) / 2
    return logits, values


def merged(sd, lora, scale):
    out = dict(sd)
    for k, a in (lora or {}).items():
        if k.endswith('lora_A.weight'):
            name = k[len('base_model.model.'):-len('.lora_A.weight')] + '.weight'
            out[name] = sd[name] + scale * lora[k.replace('lora_A', 'lora_B')] @ a
    return out


def dequantized(sd, dtype):
    """The weights as the q8 / q4 / q4f16 graph computes with them: quantized by the converter's functions,
    and unpacked here independently (nibble order, zero points, per-column scales), so that ONNX Runtime's
    DequantizeLinear / MatMulNBits must match torch on these weights tightly. q4f16: symmetric blocks
    (zero point 8) with float16 scales, and every other weight rounded to float16 as the graph keeps it."""
    from quantize import int4_blocks, int8_columns
    from float16 import half
    out = dict(sd)
    if dtype == 'q4f16':
        out = {k: torch.from_numpy(half(v.numpy().astype(np.float32)).astype(np.float32)) for k, v in sd.items()}
    names = [k for k in sd if k.endswith('_proj.weight')] + ['lm_head.weight']
    for name in names:
        w = (sd.get(name) if name in sd else sd['model.embed_tokens.weight']).numpy().astype(np.float32)
        if dtype == 'q8':
            q, s = int8_columns(np.ascontiguousarray(w.T))
            out[name] = torch.from_numpy((q.astype(np.float32) * s).T.copy())
        else:
            n, k = w.shape
            packed, scales, zp = int4_blocks(w, 32, symmetric=dtype == 'q4f16')
            nb = packed.shape[1]
            q = np.stack([packed & 15, packed >> 4], -1).reshape(n, nb * 32).astype(np.float32)
            if zp is None:
                z = np.full((n, nb), 8, np.float32)
                scales = half(scales).astype(np.float32)
            else:
                z = np.stack([zp.reshape(n, -1) & 15, zp.reshape(n, -1) >> 4], -1).reshape(n, -1)[:, :nb].astype(np.float32)
            deq = (q.reshape(n, nb, 32) - z[..., None]) * scales.reshape(n, nb)[..., None]
            out[name] = torch.from_numpy(deq.reshape(n, nb * 32)[:, :k].copy())
    return out


# ----------------------------------------------------------------------------- helpers

def convert(*args):
    t0 = time.time()
    p = subprocess.run([sys.executable, CONVERT, *args], capture_output=True, text=True)
    return p, time.time() - t0


def batch(vocab, seed):
    """Two rows, the second left-padded by 3: [b, 10]."""
    rng = np.random.default_rng(seed)
    ids = rng.integers(2, vocab, size=(2, 10)).tolist()
    mask = [[1] * 10, [0] * 3 + [1] * 7]
    ids[1][:3] = [0, 0, 0]
    return ids, mask


def ort_compare(test, pkg, cfg, sd, vh, ids, mask, split, label):
    """Runs every variant of the package in onnxruntime-node (prefill of `split` columns, then the rest with
    the KV cache) and checks it against torch; records the differences."""
    with open(os.path.join(pkg, 'manifest.json')) as fh:
        manifest = json.load(fh)
    graphs = {v['dtype']: os.path.join(pkg, v['graph']) for v in manifest['variants']}
    pos = (np.cumsum(mask, -1) - 1).clip(min=0).tolist()
    H, nh = cfg['hidden_size'], cfg['num_attention_heads']
    req = {'graphs': list(graphs.values()), 'input_ids': ids, 'attention_mask': mask, 'position_ids': pos, 'split': split,
           'kvHeads': cfg['num_key_value_heads'], 'headDim': cfg.get('head_dim') or H // nh,
           'basic': [g for d, g in graphs.items() if d == 'q8']}
    with tempfile.NamedTemporaryFile('w', suffix='.json', delete=False) as fh:
        json.dump(req, fh)
    p = subprocess.run(['node', os.path.join(HERE, 'ort_run.mjs'), fh.name], capture_output=True, text=True, cwd=ROOT)
    os.unlink(fh.name)
    test.assertEqual(p.returncode, 0, p.stderr[-2000:])
    out = json.loads(p.stdout)
    real = np.array(mask, bool)
    V = cfg['vocab_size']
    ref_logits, ref_values = torch_forward(sd, cfg, ids, mask, vhead=vh)
    for dtype, graph in graphs.items():
        calls = out[graph]
        logits = np.concatenate([np.array(c['logits']).reshape(2, -1, V) for c in calls], 1)
        values = np.concatenate([np.array(c['values']).reshape(2, -1) for c in calls], 1) if vh is not None else None
        # against the float32 weights (the quantization error) ...
        dl = float(np.abs(logits - ref_logits.numpy())[real].max())
        dv = float(np.abs(values - ref_values.numpy())[real].max()) if vh is not None else None
        fig = {'maxLogitDiff': dl, 'maxValueDiff': dv, 'logitScale': float(ref_logits.abs().max()),
               'top1Agreement': float((logits.argmax(-1) == ref_logits.numpy().argmax(-1))[real].mean())}
        lim_l, lim_v = TOLERANCE[dtype]
        lim_l *= fig['logitScale']
        test.assertLessEqual(dl, lim_l, f'{label} {dtype}: logits differ by {dl}')
        if dv is not None:
            test.assertLessEqual(dv, lim_v, f'{label} {dtype}: values differ by {dv}')
        if dtype == 'fp32':  # greedy choices agree everywhere
            test.assertEqual(fig['top1Agreement'], 1.0)
        else:  # ... and against torch on the dequantized weights (the graph computes what it should)
            if dtype == 'q8':
                calls = out[graph + ' basic']
                logits = np.concatenate([np.array(c['logits']).reshape(2, -1, V) for c in calls], 1)
                values = np.concatenate([np.array(c['values']).reshape(2, -1) for c in calls], 1) if vh is not None else None
            ql, qv = torch_forward(dequantized(sd, dtype), cfg, ids, mask, vhead=vh)
            fig['maxLogitDiffSameWeights'] = float(np.abs(logits - ql.numpy())[real].max())
            fig['maxValueDiffSameWeights'] = float(np.abs(values - qv.numpy())[real].max()) if vh is not None else None
            lim_l, lim_v = SAME_WEIGHTS[dtype]
            lim_l *= fig['logitScale']
            test.assertLessEqual(fig['maxLogitDiffSameWeights'], lim_l, f'{label} {dtype} vs torch on the dequantized weights')
            if vh is not None:
                test.assertLessEqual(fig['maxValueDiffSameWeights'], lim_v)
        FIGURES[f'{label} {dtype}'] = fig


# ----------------------------------------------------------------------------- tests

@unittest.skipUnless(HAVE_ORT, 'needs node_modules/onnxruntime-node (npm ci)')
class Converts(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)
        if FIGURES and os.environ.get('CONVERT_FIGURES'):
            with open(os.environ['CONVERT_FIGURES'], 'w') as fh:
                json.dump(FIGURES, fh, indent=2)

    def test_llama_with_lora_adapter_and_value_head(self):
        base, adapter, cfg, sd, lora, scale, vh = make_llama(self.tmp)
        pkg = os.path.join(self.tmp, 'pkg-llama')
        p, secs = convert('--checkpoint', base, '--adapter', adapter, '--out', pkg, '--id', 'tiny-llama',
                          '--external-data', 'always', '--shard-mb', '0.1')
        self.assertEqual(p.returncode, 0, p.stderr[-3000:])
        FIGURES['llama convert'] = json.loads(p.stdout.strip().splitlines()[-1])
        m = json.load(open(os.path.join(pkg, 'manifest.json')))
        self.assertTrue(m['valueHead']['present'])
        self.assertEqual([v['dtype'] for v in m['variants']], ['fp32', 'q8', 'q4'])
        listed = {f['path']: f for f in m['files']}
        for v in m['variants']:
            self.assertGreater(len(v['externalData']), 1, 'split into several shards')
            for e in v['externalData']:
                self.assertIn(e, listed)
                self.assertEqual(os.path.getsize(os.path.join(pkg, e)), listed[e]['bytes'])
            sizes = [listed[e]['bytes'] for e in v['externalData']]
            FIGURES[f'llama {v["dtype"]} shards'] = sizes
        cfg_out = json.load(open(os.path.join(pkg, 'config.json')))
        self.assertEqual(cfg_out['transformers.js_config']['use_external_data_format']['model_q4.onnx'],
                         len(m['variants'][2]['externalData']))
        # the q4 graph uses MatMulNBits
        import onnx
        g = onnx.load(os.path.join(pkg, 'onnx', 'model_q4.onnx'), load_external_data=False).graph
        self.assertGreaterEqual(sum(n.op_type == 'MatMulNBits' for n in g.node), 7 * 2 + 1)
        ids, mask = batch(cfg['vocab_size'], 7)
        logits, values = torch_forward(sd, cfg, ids, mask, lora, scale, vh)
        full = merged(sd, lora, scale)
        merged_logits, _ = torch_forward(full, cfg, ids, mask, vhead=vh)
        self.assertLess(float((merged_logits - logits).abs().max()), 1e-4)  # merging = the adapter applied unmerged
        ort_compare(self, pkg, cfg, full, vh, ids, mask, 9, 'llama+lora')  # prefill 9, then one cached step
        # Without the adapter the logits differ: the adapter really was merged.
        plain, _ = torch_forward(sd, cfg, ids, mask)
        self.assertGreater(float((plain - logits).abs().max()), 0.1)

    def test_qwen2_with_biases_and_tied_embeddings(self):
        base, cfg, sd = make_qwen2(self.tmp)
        pkg = os.path.join(self.tmp, 'pkg-qwen2')
        p, secs = convert('--checkpoint', base, '--out', pkg, '--format', 'qwen25-math-tir')
        self.assertEqual(p.returncode, 0, p.stderr[-3000:])
        FIGURES['qwen2 convert'] = json.loads(p.stdout.strip().splitlines()[-1])
        m = json.load(open(os.path.join(pkg, 'manifest.json')))
        self.assertFalse(m['valueHead']['present'])
        self.assertEqual(m['variants'][0]['externalData'], [])
        import onnx
        g = onnx.load(os.path.join(pkg, 'onnx', 'model.onnx')).graph
        self.assertEqual([o.name for o in g.output][:2], ['logits', 'present.0.key'])
        V, H = cfg['vocab_size'], cfg['hidden_size']
        self.assertEqual(sum(int(np.prod(i.dims)) == V * H for i in g.initializer), 1, 'one copy of the tied matrix')
        ids, mask = batch(cfg['vocab_size'], 8)
        ort_compare(self, pkg, cfg, sd, None, ids, mask, 6, 'qwen2')  # prefill 6, then 4 tokens with the cache

    def test_graph_io_options(self):
        """Graphs in the shapes other exports have: position_ids derived from the mask, num_logits_to_keep,
        a float16 cache and float16 logits; the manifest and config.json say the cache dtype."""
        import onnx
        d = os.path.join(self.tmp, 'io')
        os.makedirs(d)
        base, adapter, cfg, sd, lora, scale, vh = make_llama(d)
        pkg = os.path.join(self.tmp, 'pkg-io')
        p, _ = convert('--checkpoint', base, '--out', pkg, '--dtypes', 'fp32,q4', '--position-ids', 'derived',
                       '--logits-to-keep', '--kv-dtype', 'float16')
        self.assertEqual(p.returncode, 0, p.stderr[-3000:])
        m = json.load(open(os.path.join(pkg, 'manifest.json')))
        self.assertEqual([v.get('kvCacheDtype') for v in m['variants']], ['float16', 'float16'])
        self.assertEqual(json.load(open(os.path.join(pkg, 'config.json')))['transformers.js_config']['kv_cache_dtype'],
                         {'fp32': 'float16', 'q4': 'float16'})
        for name in ('model.onnx', 'model_q4.onnx'):
            g = onnx.load(os.path.join(pkg, 'onnx', name)).graph
            inputs = {i.name: i.type.tensor_type.elem_type for i in g.input}
            outputs = {o.name: o.type.tensor_type.elem_type for o in g.output}
            self.assertNotIn('position_ids', inputs)
            self.assertEqual(inputs['num_logits_to_keep'], onnx.TensorProto.INT64)
            self.assertEqual(inputs['past_key_values.0.key'], onnx.TensorProto.FLOAT16)
            self.assertEqual(outputs['present.1.value'], onnx.TensorProto.FLOAT16)
            self.assertEqual(outputs['logits'], onnx.TensorProto.FLOAT16)
        self.assertIn('float16', convert('--checkpoint', base, '--out', pkg, '--kv-dtype', 'bfloat16')[0].stderr)

    def test_q4f16_as_onnx_community_builds_it(self):
        """q4f16 as transformers.js's quantize.py makes it: symmetric MatMulNBits without zero points, every
        weight float16, float32 inputs and outputs kept by casts at the graph's edges; external data; the
        cache and logits float32; ONNX Runtime agrees with torch on the same weights, through the cache."""
        import onnx
        from onnx import TensorProto as T
        d = os.path.join(self.tmp, 'half')
        os.makedirs(d)
        base, adapter, cfg, sd, lora, scale, vh = make_llama(d)
        pkg = os.path.join(self.tmp, 'pkg-half')
        p, _ = convert('--checkpoint', base, '--adapter', adapter, '--out', pkg, '--dtypes', 'q4f16', '--external-data', 'always')
        self.assertEqual(p.returncode, 0, p.stderr[-3000:])
        m = json.load(open(os.path.join(pkg, 'manifest.json')))
        self.assertEqual([(v['dtype'], v['graph'], v['externalData'], v.get('kvCacheDtype')) for v in m['variants']],
                         [('q4f16', 'onnx/model_q4f16.onnx', ['onnx/model_q4f16.onnx_data'], None)])
        cfg_out = json.load(open(os.path.join(pkg, 'config.json')))
        self.assertEqual(cfg_out['transformers.js_config'], {'use_external_data_format': {'model_q4f16.onnx': 1}})
        g = onnx.load(os.path.join(pkg, 'onnx', 'model_q4f16.onnx'), load_external_data=False).graph
        inputs = {i.name: i.type.tensor_type.elem_type for i in g.input}
        outputs = {o.name: o.type.tensor_type.elem_type for o in g.output}
        self.assertEqual(inputs['past_key_values.0.key'], T.FLOAT)
        self.assertEqual({outputs['logits'], outputs['present.1.value'], outputs['values']}, {T.FLOAT})
        floats = {i.name: i.data_type for i in g.initializer if i.data_type in (T.FLOAT, T.FLOAT16)}
        self.assertEqual(set(floats.values()), {T.FLOAT16}, 'every float weight is float16')
        nbits = [n for n in g.node if n.op_type == 'MatMulNBits']
        self.assertGreaterEqual(len(nbits), 7 * 2 + 1)
        self.assertTrue(all(len(n.input) == 3 for n in nbits), 'symmetric: no zero points')
        casts = {n.input[0]: n for n in g.node if n.op_type == 'Cast'}
        for name in (n for n in inputs if n.startswith('past_key_values')):
            self.assertEqual((casts[name].output[0], casts[name].attribute[0].i), (name + '_fp16', T.FLOAT16))
        produced = {o: n for n in g.node for o in n.output}
        for name in outputs:  # each float32 output is a Cast of its float16 producer
            self.assertEqual((produced[name].op_type, list(produced[name].input)), ('Cast', [name + '_fp16']))
        ids, mask = batch(cfg['vocab_size'], 7)
        ort_compare(self, pkg, cfg, merged(sd, lora, scale), vh, ids, mask, 9, 'llama+lora q4f16')
        bad = convert('--checkpoint', base, '--out', os.path.join(self.tmp, 'pkg-half-kv16'), '--dtypes', 'q4f16', '--kv-dtype', 'float16')[0]
        self.assertEqual(bad.returncode, 2)
        self.assertIn('keeps float32 cache inputs and outputs', bad.stderr)

    def test_sentencepiece_only_checkpoint(self):
        base, cfg, sd = make_mistral_spm(self.tmp)
        pkg = os.path.join(self.tmp, 'pkg-mistral')
        p, secs = convert('--checkpoint', base, '--out', pkg, '--dtypes', 'fp32,q4')
        self.assertEqual(p.returncode, 0, p.stderr[-3000:])
        tok = json.load(open(os.path.join(pkg, 'tokenizer.json')))
        self.assertEqual(tok['model']['type'], 'BPE')
        texts = ['the cat is 12.', 'The cat sat, at 12 + 3 = 15?', 'naïve café 数学 🎉', '  two  spaces', '']
        with tempfile.NamedTemporaryFile('w', suffix='.json', delete=False) as fh:
            json.dump(texts, fh)
        q = subprocess.run(['node', os.path.join(HERE, 'tokenize.mjs'), pkg, fh.name], capture_output=True, text=True, cwd=ROOT)
        os.unlink(fh.name)
        self.assertEqual(q.returncode, 0, q.stderr[-2000:])
        got = json.loads(q.stdout)
        spm = os.path.join(base, 'tokenizer.model')
        for text, plain, special, decoded in zip(texts, got['plain'], got['special'], got['decoded']):
            want = encode_bpe(spm, text) if text else []
            self.assertEqual(plain, want, text)
            self.assertEqual(special, [1] + want, text)  # <s> first, as Llama/Mistral add it
            self.assertEqual(decoded, text, text)
        self.assertEqual(encode_bpe(spm, 'the cat'), [259 + SPM_MERGED.index('▁the'), 259 + SPM_MERGED.index('▁cat')])
        ids, mask = batch(cfg['vocab_size'], 9)
        ort_compare(self, pkg, cfg, sd, None, ids, mask, 9, 'mistral-spm')


class RefusesBadInput(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def refused(self, *args):
        p, _ = convert(*args, '--out', os.path.join(self.tmp, 'out'), '--dtypes', 'fp32')
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        return p.stderr

    def test_unsupported_architecture(self):
        base, cfg, sd = make_qwen2(self.tmp)
        cfg.update({'model_type': 'gpt2', 'architectures': ['GPT2LMHeadModel']})
        json.dump(cfg, open(os.path.join(base, 'config.json'), 'w'))
        err = self.refused('--checkpoint', base)
        self.assertIn('unsupported architecture GPT2LMHeadModel', err)

    def test_missing_shards(self):
        base, *_ = make_llama(self.tmp)
        os.remove(os.path.join(base, 'model-00002-of-00002.safetensors'))
        err = self.refused('--checkpoint', base)
        self.assertIn('missing shards: model-00002-of-00002.safetensors', err)

    def test_mismatched_adapter_shapes(self):
        base, adapter, *_ = make_llama(self.tmp)
        path = os.path.join(adapter, 'adapter_model.safetensors')
        from checkpoint import SafetensorsFile
        f = SafetensorsFile(path)
        t = {k: f.get(k).copy() for k in f.keys()}
        t['base_model.model.model.layers.1.mlp.down_proj.lora_A.weight'] = np.zeros((4, 64), np.float32)  # down_proj takes 96
        write_safetensors(path, t)
        err = self.refused('--checkpoint', base, '--adapter', adapter)
        self.assertIn('adapter shapes do not match model.layers.1.mlp.down_proj.weight [64, 96]', err)

    def test_registry_entry_promising_a_value_head_it_cannot_find(self):
        base, cfg, sd = make_qwen2(self.tmp)  # no value head anywhere
        err = self.refused('--checkpoint', base, '--for-registry', 'mario-ovm-7b')
        self.assertIn('the registry entry mario-ovm-7b promises a value head (valueHead: true)', err)
        self.assertIn('--value-head FILE', err)
        self.assertIn('has no entry nothing-here', self.refused('--checkpoint', base, '--for-registry', 'nothing-here'))

    def test_value_head_of_the_wrong_width(self):
        base, cfg, sd = make_qwen2(self.tmp)
        write_safetensors(os.path.join(base, 'value_head.safetensors'), {'v_head.summary.weight': np.zeros((1, 32), np.float32)})
        err = self.refused('--checkpoint', base)
        self.assertIn('v_head.summary.weight has shape [1, 32], expected [1, 48]', err)


if __name__ == '__main__':
    unittest.main()
