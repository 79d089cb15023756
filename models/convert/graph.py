"""
Writes the decoder graph of models/FORMAT.md straight from the checkpoint's tensors, with
onnx.helper (no torch.onnx.export, which would need the whole model in memory): one tensor is
read, merged with its LoRA change, and written to every variant (fp32, q8, q4) before the next
is read. Weights go inline (small models) or into external-data shards of at most
`shard_bytes` each (file names as transformers.js expects: model_q4.onnx_data, _data_1, ...).

Graph: Gather embedding -> per layer [RMSNorm, q/k/v (+bias), rotary (rotate_half), past
concat -> present, grouped-query attention with a causal + padding mask, o_proj, RMSNorm,
SwiGLU] -> RMSNorm -> logits; values = sigmoid(a * (v_head . h + b)) on the final hidden state.
The graph's inputs and outputs follow the exports transformers.js reads (`io`, all optional):
`position_ids` an input (default) or derived from attention_mask (cumsum - 1, as Hugging Face does);
a `num_logits_to_keep` input (logits of the last k positions only); a float16 cache
(past_key_values / present, and the logits, float16 as fp16 and q4f16 exports declare them).
Linear layers: fp32 MatMul [in, out]; q8 DequantizeLinear(int8, per-column scale) -> MatMul;
q4 com.microsoft MatMulNBits (bits 4, block 32, asymmetric with zero points); q4f16 as onnx-community's
q4f16 exports: symmetric MatMulNBits (no zero points), every weight and activation float16, the float32
inputs and outputs kept by casts at the graph's edges (float16.py).
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'export'))
from quantize import int4_blocks, int8_columns  # noqa: E402
from float16 import half, keep_float32_io  # noqa: E402

OPSET = 14
FILE_NAMES = {'fp32': 'model.onnx', 'q8': 'model_quantized.onnx', 'q4': 'model_q4.onnx', 'q4f16': 'model_q4f16.onnx'}
INLINE_BELOW = 1024  # bytes: tiny tensors (norm weights of a test model, constants) stay in the graph


class Weights:
    """The initializers of one variant: inline, or appended to external-data shards."""
    def __init__(self, folder, graph_name, external, shard_bytes, align=64, float16=False):
        self.folder, self.graph_name, self.external, self.float16 = folder, graph_name, external, float16
        self.shard_bytes, self.align = shard_bytes, align
        self.inits, self.shards, self.fh, self.size = [], [], None, 0

    def _shard_for(self, nbytes):
        if self.fh is None or (self.size > 0 and self.size + nbytes > self.shard_bytes):
            if self.fh:
                self.fh.close()
            name = f'{self.graph_name}_data' + (f'_{len(self.shards)}' if self.shards else '')
            self.shards.append(name)
            self.fh, self.size = open(os.path.join(self.folder, name), 'wb'), 0
        pad = -self.size % self.align
        self.fh.write(b'\0' * pad)
        self.size += pad
        return self.shards[-1]

    def add(self, name, array):
        array = np.ascontiguousarray(array)
        if self.float16 and array.dtype == np.float32:
            array = half(array)
        t = TensorProto()
        t.name = name
        t.data_type = helper.np_dtype_to_tensor_dtype(array.dtype) if hasattr(helper, 'np_dtype_to_tensor_dtype') \
            else onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[array.dtype]
        t.dims.extend(array.shape)
        if not self.external or array.nbytes < INLINE_BELOW:
            t.raw_data = array.tobytes()
        else:
            shard = self._shard_for(array.nbytes)
            offset = self.size
            self.fh.write(memoryview(array).cast('B'))
            self.size += array.nbytes
            t.data_location = TensorProto.EXTERNAL
            for k, v in (('location', shard), ('offset', str(offset)), ('length', str(array.nbytes))):
                e = t.external_data.add()
                e.key, e.value = k, v
        self.inits.append(t)
        return name

    def close(self):
        if self.fh:
            self.fh.close()
            self.fh = None


class Builder:
    """The nodes and weights of one variant's graph."""
    def __init__(self, dtype, folder, external, shard_bytes):
        self.dtype = dtype
        self.name = FILE_NAMES[dtype]
        self.nodes = []
        self.w = Weights(folder, self.name, external, shard_bytes, float16=dtype == 'q4f16')
        self.n = 0

    def op(self, op_type, inputs, outputs=1, domain=None, **attrs):
        self.n += 1
        outs = [f'{op_type.lower()}_{self.n}_{i}' for i in range(outputs)] if isinstance(outputs, int) else outputs
        self.nodes.append(helper.make_node(op_type, inputs, outs, name=f'{op_type}_{self.n}', domain=domain, **attrs))
        return outs[0] if len(outs) == 1 else outs

    def const(self, array, name=None):
        self.n += 1
        return self.w.add(name or f'const_{self.n}', np.asarray(array))

    def linear(self, x, name, w, bias=None):
        """x [..., in] times a Linear weight w [out, in] (float32), plus bias."""
        out_f, in_f = w.shape
        if self.dtype == 'fp32':
            y = self.op('MatMul', [x, self.w.add(name, w.T)])
        elif self.dtype == 'q8':
            q, scale = int8_columns(w.T)
            dq = self.op('DequantizeLinear', [self.w.add(name + '_q', q), self.w.add(name + '_scale', scale),
                                              self.w.add(name + '_zero', np.zeros(out_f, np.int8))], axis=1)
            y = self.op('MatMul', [x, dq])
        else:  # q4: asymmetric with zero points; q4f16: symmetric (float16 scales), as onnx-community's q4f16
            packed, scales, zeros = int4_blocks(w, 32, symmetric=self.dtype == 'q4f16')
            zp = [] if zeros is None else [self.w.add(name + '_zp', zeros)]
            y = self.op('MatMulNBits', [x, self.w.add(name + '_q4', packed), self.w.add(name + '_scales', scales), *zp],
                        domain='com.microsoft', K=in_f, N=out_f, bits=4, block_size=32)
        if bias is not None:
            y = self.op('Add', [y, self.w.add(name.replace('.weight', '.bias'), bias.astype(np.float32))])
        return y

    def rms_norm(self, x, weight_name, weight, eps_name):
        var = self.op('ReduceMean', [self.op('Mul', [x, x])], axes=[-1], keepdims=1)
        inv = self.op('Reciprocal', [self.op('Sqrt', [self.op('Add', [var, eps_name])])])
        return self.op('Mul', [self.op('Mul', [x, inv]), self.w.add(weight_name, weight)])


GRAPH_IO = {'position_ids': True, 'logits_to_keep': False, 'kv_dtype': 'float32'}


def build(ckpt, dtypes, folder, external, shard_bytes, value_activation='tanh', log=print, io=None):
    """Streams the checkpoint into one graph per dtype under folder/onnx; returns
    {dtype: {'graph': path, 'externalData': [paths]}} and the parameter count.
    `io`: the graph's inputs and outputs (GRAPH_IO's keys)."""
    io = {**GRAPH_IO, **(io or {})}
    if io['kv_dtype'] not in ('float32', 'float16'):
        raise ValueError(f'kv_dtype {io["kv_dtype"]} is neither float32 nor float16')
    half = io['kv_dtype'] == 'float16'
    if half and 'q4f16' in dtypes:
        raise ValueError('q4f16 keeps float32 inputs and outputs (keep_io_types); a float16 cache is for fp32 graphs here')
    c = ckpt.config
    L, nh, nkv, hd, H = c['num_hidden_layers'], c['num_attention_heads'], c['num_key_value_heads'], c['head_dim'], c['hidden_size']
    V, inter = c['vocab_size'], c['intermediate_size']
    rep = nh // nkv
    if nh % nkv:
        raise ValueError(f'num_attention_heads {nh} is not a multiple of num_key_value_heads {nkv}')
    onnx_dir = os.path.join(folder, 'onnx')
    os.makedirs(onnx_dir, exist_ok=True)
    bs = [Builder(d, onnx_dir, external, shard_bytes) for d in dtypes]
    params = 0

    def each(fn):
        return [fn(b) for b in bs]

    # Inputs, shapes, rotary tables and the attention mask (shared across layers).
    emb = ckpt.tensor('model.embed_tokens.weight', (V, H))
    params += emb.size
    x = each(lambda b: b.op('Gather', [b.w.add('model.embed_tokens.weight', emb), 'input_ids'], axis=0))
    theta = c['rope_theta']
    inv_freq = 1.0 / (theta ** (np.arange(0, hd, 2, dtype=np.float32) / hd))
    rs = c.get('rope_scaling') or {}
    if (rs.get('type') or rs.get('rope_type')) == 'linear':
        inv_freq = inv_freq / float(rs['factor'])
    tables = []
    for b in bs:
        eps = b.const(np.array(c['rms_norm_eps'], np.float32), 'rms_eps')
        if io['position_ids']:
            position_ids = 'position_ids'
        else:  # the last `sequence` entries of cumsum(attention_mask) - 1: each fed token's index among the row's tokens
            cum = b.op('Sub', [b.op('CumSum', ['attention_mask', b.const(np.array(1, np.int64))]), b.const(np.array(1, np.int64))])
            seq = b.op('Slice', [b.op('Shape', ['input_ids']), b.const(np.array([1], np.int64)), b.const(np.array([2], np.int64))])
            position_ids = b.op('Slice', [cum, b.op('Neg', [seq]), b.const(np.array([np.iinfo(np.int64).max], np.int64)), b.const(np.array([1], np.int64))])
        pos = b.op('Unsqueeze', [b.op('Cast', [position_ids], to=TensorProto.FLOAT), b.const(np.array([-1], np.int64))])
        freqs = b.op('Mul', [pos, b.const(inv_freq.astype(np.float32), 'inv_freq')])
        e = b.op('Unsqueeze', [b.op('Concat', [freqs, freqs], axis=-1), b.const(np.array([1], np.int64))])  # b, 1, s, hd
        cos, sin = b.op('Cos', [e]), b.op('Sin', [e])
        # mask bias [b, 1, s, total]: 0 where key j <= past + i and attention_mask[j] > 0, else -1e9
        s = b.op('Gather', [b.op('Shape', ['input_ids']), b.const(np.array(1, np.int64))], axis=0)
        t = b.op('Gather', [b.op('Shape', ['attention_mask']), b.const(np.array(1, np.int64))], axis=0)
        zero, one = b.const(np.array(0, np.int64)), b.const(np.array(1, np.int64))
        qi = b.op('Add', [b.op('Range', [zero, s, one]), b.op('Sub', [t, s])])
        ki = b.op('Range', [zero, t, one])
        causal = b.op('Not', [b.op('Greater', [b.op('Unsqueeze', [ki, b.const(np.array([0], np.int64))]),
                                               b.op('Unsqueeze', [qi, b.const(np.array([1], np.int64))])])])  # s, t
        keep = b.op('Greater', ['attention_mask', zero])
        keep = b.op('Unsqueeze', [keep, b.const(np.array([1, 2], np.int64))])  # b, 1, 1, t
        allowed = b.op('And', [causal, keep])
        mask = b.op('Where', [allowed, b.const(np.array(0, np.float32)), b.const(np.array(-1e9, np.float32))])
        split = b.const(np.array([hd // 2, hd // 2], np.int64), 'rotary_split')
        shapes = {k: b.const(np.array(v, np.int64), f'shape_{k}') for k, v in
                  (('q', [0, 0, nh, hd]), ('kv', [0, 0, nkv, hd]), ('merge', [0, 0, nh * hd]), ('rep', [0, nh, -1, hd]))}
        tables.append((eps, cos, sin, mask, split, shapes))

    def rotary(b, y, cos, sin, split):
        y1, y2 = b.op('Split', [y, split], outputs=2, axis=-1)
        rot = b.op('Concat', [b.op('Neg', [y2]), y1], axis=-1)
        return b.op('Add', [b.op('Mul', [y, cos]), b.op('Mul', [rot, sin])])

    def repeat(b, kv, shapes):
        if rep == 1:
            return kv
        big = b.op('Unsqueeze', [kv, b.const(np.array([2], np.int64))])  # b, nkv, 1, t, hd
        shp = b.op('Shape', [big])
        target = b.op('Concat', [b.op('Slice', [shp, b.const(np.array([0], np.int64)), b.const(np.array([2], np.int64))]),
                                 b.const(np.array([rep], np.int64)),
                                 b.op('Slice', [shp, b.const(np.array([3], np.int64)), b.const(np.array([5], np.int64))])], axis=0)
        return b.op('Reshape', [b.op('Expand', [big, target]), shapes['rep']])

    scale = np.array(1.0 / np.sqrt(hd), np.float32)
    for i in range(L):
        p = f'model.layers.{i}.'
        ln1 = ckpt.tensor(p + 'input_layernorm.weight', (H,))
        h = [b.rms_norm(x[j], p + 'input_layernorm.weight', ln1, tables[j][0]) for j, b in enumerate(bs)]
        proj = {}
        for name, out_f in (('q_proj', nh * hd), ('k_proj', nkv * hd), ('v_proj', nkv * hd)):
            w = ckpt.tensor(p + f'self_attn.{name}.weight', (out_f, H))
            bias = ckpt.tensor(p + f'self_attn.{name}.bias', (out_f,)) if ckpt.has(p + f'self_attn.{name}.bias') else None
            params += w.size + (bias.size if bias is not None else 0) + ln1.size * (name == 'q_proj')
            proj[name] = [b.linear(h[j], p + f'self_attn.{name}.weight', w, bias) for j, b in enumerate(bs)]
            del w
        attn = []
        for j, b in enumerate(bs):
            eps, cos, sin, mask, split, shapes = tables[j]
            q = b.op('Transpose', [b.op('Reshape', [proj['q_proj'][j], shapes['q']])], perm=[0, 2, 1, 3])
            k = b.op('Transpose', [b.op('Reshape', [proj['k_proj'][j], shapes['kv']])], perm=[0, 2, 1, 3])
            v = b.op('Transpose', [b.op('Reshape', [proj['v_proj'][j], shapes['kv']])], perm=[0, 2, 1, 3])
            q, k = rotary(b, q, cos, sin, split), rotary(b, k, cos, sin, split)
            if half:  # the cache is float16; attention runs in float32 on it
                k = b.op('Cast', [b.op('Concat', [f'past_key_values.{i}.key', b.op('Cast', [k], to=TensorProto.FLOAT16)], [f'present.{i}.key'], axis=2)], to=TensorProto.FLOAT)
                v = b.op('Cast', [b.op('Concat', [f'past_key_values.{i}.value', b.op('Cast', [v], to=TensorProto.FLOAT16)], [f'present.{i}.value'], axis=2)], to=TensorProto.FLOAT)
            else:
                k = b.op('Concat', [f'past_key_values.{i}.key', k], [f'present.{i}.key'], axis=2)
                v = b.op('Concat', [f'past_key_values.{i}.value', v], [f'present.{i}.value'], axis=2)
            kk, vv = repeat(b, k, shapes), repeat(b, v, shapes)
            att = b.op('Mul', [b.op('MatMul', [q, b.op('Transpose', [kk], perm=[0, 1, 3, 2])]), b.const(scale)])
            att = b.op('Softmax', [b.op('Add', [att, mask])], axis=-1)
            y = b.op('Reshape', [b.op('Transpose', [b.op('MatMul', [att, vv])], perm=[0, 2, 1, 3]), shapes['merge']])
            attn.append(y)
        w = ckpt.tensor(p + 'self_attn.o_proj.weight', (H, nh * hd))
        params += w.size
        x = [b.op('Add', [x[j], b.linear(attn[j], p + 'self_attn.o_proj.weight', w)]) for j, b in enumerate(bs)]
        ln2 = ckpt.tensor(p + 'post_attention_layernorm.weight', (H,))
        params += ln2.size
        h = [b.rms_norm(x[j], p + 'post_attention_layernorm.weight', ln2, tables[j][0]) for j, b in enumerate(bs)]
        w = ckpt.tensor(p + 'mlp.gate_proj.weight', (inter, H))
        gate = [b.linear(h[j], p + 'mlp.gate_proj.weight', w) for j, b in enumerate(bs)]
        params += w.size
        w = ckpt.tensor(p + 'mlp.up_proj.weight', (inter, H))
        up = [b.linear(h[j], p + 'mlp.up_proj.weight', w) for j, b in enumerate(bs)]
        params += w.size
        act = [b.op('Mul', [b.op('Mul', [gate[j], b.op('Sigmoid', [gate[j]])]), up[j]]) for j, b in enumerate(bs)]
        w = ckpt.tensor(p + 'mlp.down_proj.weight', (H, inter))
        params += w.size
        x = [b.op('Add', [x[j], b.linear(act[j], p + 'mlp.down_proj.weight', w)]) for j, b in enumerate(bs)]
        del w
        log(f'layer {i + 1}/{L}')

    norm = ckpt.tensor('model.norm.weight', (H,))
    params += norm.size
    h = [b.rms_norm(x[j], 'model.norm.weight', norm, tables[j][0]) for j, b in enumerate(bs)]
    tied = c['tie_word_embeddings'] or not ckpt.has('lm_head.weight')
    head = emb if tied else ckpt.tensor('lm_head.weight', (V, H))
    if not tied:
        params += head.size
    for j, b in enumerate(bs):
        hl = h[j]
        if io['logits_to_keep']:  # logits of the last num_logits_to_keep positions only
            start = b.op('Neg', [b.op('Unsqueeze', ['num_logits_to_keep', b.const(np.array([0], np.int64))])])
            hl = b.op('Slice', [hl, start, b.const(np.array([np.iinfo(np.int64).max], np.int64)), b.const(np.array([1], np.int64))])
        if tied and b.dtype == 'fp32':  # one copy of the tied matrix: the output projection is its transpose
            logits = b.op('MatMul', [hl, b.op('Transpose', ['model.embed_tokens.weight'], perm=[1, 0])])
        else:
            logits = b.linear(hl, 'lm_head.weight', head)
        if half:
            b.op('Cast', [logits], ['logits'], to=TensorProto.FLOAT16)
        else:
            b.nodes.append(helper.make_node('Identity', [logits], ['logits'], name='logits'))
    del head, emb
    vh = ckpt.value_head
    if vh is not None:
        params += vh['weight'].size + vh['bias'].size
        gain = {'tanh': 2.0, 'sigmoid': 1.0}[value_activation]  # (1 + tanh z) / 2 == sigmoid(2 z)
        for j, b in enumerate(bs):
            z = b.op('Add', [b.op('MatMul', [h[j], b.w.add('v_head.summary.weight', vh['weight'].T.astype(np.float32))]),
                             b.w.add('v_head.summary.bias', vh['bias'].astype(np.float32))])
            z = b.op('Squeeze', [z, b.const(np.array([-1], np.int64))])
            b.op('Sigmoid', [b.op('Mul', [z, b.const(np.array(gain, np.float32))])], ['values'])

    out = {}
    for b in bs:
        b.w.close()
        f32 = TensorProto.FLOAT
        kvt = TensorProto.FLOAT16 if half else f32
        inputs = [helper.make_tensor_value_info('input_ids', TensorProto.INT64, ['batch', 'sequence']),
                  helper.make_tensor_value_info('attention_mask', TensorProto.INT64, ['batch', 'total'])]
        if io['position_ids']:
            inputs.append(helper.make_tensor_value_info('position_ids', TensorProto.INT64, ['batch', 'sequence']))
        if io['logits_to_keep']:
            inputs.append(helper.make_tensor_value_info('num_logits_to_keep', TensorProto.INT64, []))
        outputs = [helper.make_tensor_value_info('logits', kvt, ['batch', 'kept' if io['logits_to_keep'] else 'sequence', V])]
        if vh is not None:
            outputs.append(helper.make_tensor_value_info('values', f32, ['batch', 'sequence']))
        for i in range(L):
            for kv in ('key', 'value'):
                inputs.append(helper.make_tensor_value_info(f'past_key_values.{i}.{kv}', kvt, ['batch', nkv, 'past', hd]))
                outputs.append(helper.make_tensor_value_info(f'present.{i}.{kv}', kvt, ['batch', nkv, 'total', hd]))
        nodes = b.nodes
        if b.dtype == 'q4f16':  # float16 inside, the float32 inputs and outputs kept (casts at the edges)
            nodes = keep_float32_io(nodes, inputs, outputs, {t.name: t.data_type for t in b.w.inits})
        graph = helper.make_graph(nodes, 'decoder', inputs, outputs, b.w.inits)
        opsets = [helper.make_opsetid('', OPSET)] + ([helper.make_opsetid('com.microsoft', 1)] if b.dtype in ('q4', 'q4f16') else [])
        model = helper.make_model(graph, opset_imports=opsets, producer_name='math-tutor models/convert')
        model.ir_version = 8
        path = os.path.join(onnx_dir, b.name)
        with open(path, 'wb') as fh:
            fh.write(model.SerializeToString())
        onnx.checker.check_model(path)
        out[b.dtype] = {'graph': f'onnx/{b.name}', 'externalData': [f'onnx/{s}' for s in b.w.shards]}
    return out, params
