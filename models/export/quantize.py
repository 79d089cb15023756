"""
Weight-only int8 quantization of an exported graph: every MatMul whose second input
is a constant weight [in, out] gets int8 weights with one fp32 scale per output
column, dequantized in the graph (DequantizeLinear -> MatMul). ONNX Runtime runs this
on WebAssembly and WebGPU alike; activations stay fp32.

    /usr/bin/python3 models/export/quantize.py models/work/package/onnx/model.onnx models/work/package/onnx/model_quantized.onnx
"""
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper


def int8_columns(w):
    """w [in, out] float32 -> int8 weights and one fp32 scale per output column (symmetric, zero point 0)."""
    scale = np.abs(w).max(axis=0) / 127.0
    scale[scale == 0] = 1.0
    q = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
    return q, scale.astype(np.float32)


def int4_blocks(w, block=32, rows=4096, symmetric=False):
    """w [out, in] float32 (a Linear's weight) -> the inputs of com.microsoft MatMulNBits (bits=4):
    packed [out, blocks, block/2] uint8 (two values a byte, the first in the low nibble),
    scales [out * blocks] float32, zero points [out, ceil(blocks/2)] uint8 packed the same way.
    Asymmetric per block of `block` input elements: w ~ (q - zero) * scale, q in 0..15.
    symmetric: as ONNX Runtime's MatMul4BitsQuantizer with is_symmetric=True (transformers.js's
    scripts/quantize.py default; MLAS's blockwise quantizer): scale = m / -8 where m is the block's
    value of largest magnitude, q = clip(round(w / scale) + 8, 0, 15), and no zero points (None:
    MatMulNBits's default zero point 8).
    Works through `rows` output rows at a time to bound the temporaries."""
    n, k = w.shape
    nb = -(-k // block)
    packed = np.empty((n, nb, block // 2), np.uint8)
    scales = np.empty((n, nb), np.float32)
    zeros = np.zeros((n, nb + nb % 2), np.uint8)
    for r in range(0, n, rows):
        x = w[r:r + rows]
        if k % block:
            x = np.pad(x, ((0, 0), (0, nb * block - k)))
        x = x.reshape(x.shape[0], nb, block)
        if symmetric:
            at = np.abs(x).argmax(-1)[..., None]
            s = np.take_along_axis(x, at, -1)[..., 0] / -8.0
            z = np.full(s.shape, 8.0, np.float32)
            inv = np.divide(1.0, s, out=np.zeros_like(s), where=s != 0)
            q = np.clip(np.round(x * inv[..., None]) + 8, 0, 15).astype(np.uint8)
        else:
            lo = np.minimum(x.min(-1), 0)
            hi = np.maximum(x.max(-1), 0)
            s = (hi - lo) / 15.0
            s[s == 0] = 1.0
            z = np.clip(np.round(-lo / s), 0, 15)
            q = np.clip(np.round(x / s[..., None]) + z[..., None], 0, 15).astype(np.uint8)
        packed[r:r + rows] = q[..., 0::2] | (q[..., 1::2] << 4)
        scales[r:r + rows] = s
        zeros[r:r + rows, :nb] = z
    if symmetric:
        return packed, scales.reshape(-1), None
    zp = zeros[:, 0::2] | (zeros[:, 1::2] << 4)
    return packed, scales.reshape(-1), zp.reshape(-1)


def quantize(src, dst, min_elements=4096):
    model = onnx.load(src)
    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    consumers = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    new_inits, new_nodes, done = [], [], set()
    for node in graph.node:
        if node.op_type == 'MatMul' and node.input[1] in inits:
            name = node.input[1]
            w = numpy_helper.to_array(inits[name]).astype(np.float32)
            if w.ndim != 2 or w.size < min_elements:
                continue
            if name not in done:
                q, scale = int8_columns(w)
                new_inits += [numpy_helper.from_array(q, name + '_q'), numpy_helper.from_array(scale, name + '_scale'),
                              numpy_helper.from_array(np.zeros(w.shape[1], dtype=np.int8), name + '_zero')]
                new_nodes.append(helper.make_node('DequantizeLinear', [name + '_q', name + '_scale', name + '_zero'], [name + '_dq'], axis=1,
                                                  name=name + '_dequantize'))
                done.add(name)
            node.input[1] = name + '_dq'
    still_used = {i for n in graph.node for i in n.input}
    kept = [i for i in graph.initializer if i.name not in done or i.name in still_used]
    del graph.initializer[:]
    graph.initializer.extend(kept + new_inits)
    nodes = new_nodes + list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes)
    onnx.checker.check_model(model)
    onnx.save(model, dst)
    return len(done)


if __name__ == '__main__':
    n = quantize(sys.argv[1], sys.argv[2])
    print(f'quantized {n} weight matrices -> {sys.argv[2]}')
