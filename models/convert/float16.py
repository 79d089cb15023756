"""
Float16 graphs with float32 inputs and outputs, as transformers.js's scripts/quantize.py makes the
q4f16 variant of onnx-community's exports: MatMul4BitsQuantizer (symmetric, block 32) first, then
scripts/float16.py's `convert_float_to_float16(model, keep_io_types=True,
op_block_list=DEFAULT_OP_BLOCK_LIST)` (onnxconverter-common's converter):

- every float32 weight becomes float16, clamped as its `convert_np_to_float16` does (`half`);
- a float32 graph input stays float32 and gets one Cast to float16, named `<input>_fp16`, that every
  consumer reads instead (so past_key_values.* are float32 in the graph's signature);
- a float32 graph output stays float32: its producer writes `<output>_fp16`, and a Cast to float32
  gives the output its name back (logits, present.*, values);
- a node whose op type is in the block list (Cast among them) computes as before: its float16
  inputs are cast to float32 before it, its float32 outputs cast to float16 after it.

graph.py writes each weight to disk as it streams the checkpoint, so the weights are converted as
they are written (`half`) and `keep_float32_io` rewrites only the nodes; the result has the same
inputs, outputs and casts the reference converter gives.
"""
import numpy as np
from onnx import TensorProto, helper

# scripts/float16.py's DEFAULT_OP_BLOCK_LIST: ops that keep computing in float32.
BLOCKED = frozenset([
    'ArrayFeatureExtractor', 'Binarizer', 'CastMap', 'CategoryMapper', 'DictVectorizer', 'FeatureVectorizer', 'Imputer',
    'LabelEncoder', 'LinearClassifier', 'LinearRegressor', 'Normalizer', 'OneHotEncoder', 'RandomUniformLike',
    'SVMClassifier', 'SVMRegressor', 'Scaler', 'TreeEnsembleClassifier', 'TreeEnsembleRegressor', 'ZipMap',
    'NonMaxSuppression', 'TopK', 'RoiAlign', 'Resize', 'CumSum', 'Min', 'Max', 'Upsample', 'RandomNormalLike', 'Cast',
])
F32, F16 = TensorProto.FLOAT, TensorProto.FLOAT16
_BOOL_OPS = {'Greater', 'Less', 'Equal', 'GreaterOrEqual', 'LessOrEqual', 'Not', 'And', 'Or', 'Xor', 'IsNaN', 'IsInf'}


def half(array, min_positive=1e-7, max_finite=1e4):
    """float32 -> float16 without changing sign or finiteness: 0 < |x| < min_positive becomes
    ±min_positive, finite |x| > max_finite becomes ±max_finite; 0, inf and nan are unchanged."""
    a = np.asarray(array, np.float32)
    out = np.where((a > 0) & (a < min_positive), min_positive, a)
    out = np.where((a < 0) & (a > -min_positive), -min_positive, out)
    out = np.where((a > max_finite) & np.isfinite(a), max_finite, out)
    out = np.where((a < -max_finite) & np.isfinite(a), -max_finite, out)
    return out.astype(np.float16)


def _out_type(node, types):
    """The element type of a node's first output from its inputs' types (the ops the converter writes)."""
    op = node.op_type
    if op == 'Cast':
        return next(a.i for a in node.attribute if a.name == 'to')
    if op == 'Shape':
        return TensorProto.INT64
    if op in _BOOL_OPS:
        return TensorProto.BOOL
    if op == 'Where':
        return types[node.input[1]]
    return types[node.input[0]]


def keep_float32_io(nodes, inputs, outputs, weight_types):
    """The nodes of a graph whose weights are float16 (`weight_types`: initializer name -> element
    type), rewritten so that its float32 `inputs` and `outputs` (ValueInfoProtos) keep their names and
    types. Nodes must be in topological order; returns the new node list, still in that order."""
    types = dict(weight_types)
    for v in inputs:
        types[v.name] = v.type.tensor_type.elem_type
    rename = {}
    head = []
    for v in inputs:
        if types[v.name] == F32 and any(v.name in n.input for n in nodes):
            cast = v.name + '_fp16'
            head.append(helper.make_node('Cast', [v.name], [cast], name=cast, to=F16))
            rename[v.name] = cast
            types[cast] = F16
    graph_out = {v.name: i for i, v in enumerate(outputs) if v.type.tensor_type.elem_type == F32}
    for name in graph_out:
        rename[name] = name + '_fp16'
    body, tail = [], []
    for node in nodes:
        ins = [rename.get(x, x) for x in node.input]
        if node.op_type in BLOCKED:
            for i, x in enumerate(ins):
                if x and types.get(x) == F16:
                    cast = f'{x}_input_cast_{i}'
                    body.append(helper.make_node('Cast', [x], [cast], name=cast, to=F32))
                    types[cast] = F32
                    ins[i] = cast
        del node.input[:]
        node.input.extend(ins)
        t = _out_type(node, types)
        outs = list(node.output)
        after = []
        for i, y in enumerate(outs):
            if node.op_type in BLOCKED and t == F32:
                if y in graph_out:
                    raise ValueError(f'{node.name} ({node.op_type}, kept in float32) writes the graph output {y}')
                pre = f'{y}_output_cast_{i}'
                after.append(helper.make_node('Cast', [pre], [y], name=f'{y}_output_cast', to=F16))
                types[pre], types[y] = F32, F16
                outs[i] = pre
            else:
                outs[i] = rename.get(y, y)
                types[outs[i]] = t
        del node.output[:]
        node.output.extend(outs)
        body.append(node)
        body.extend(after)
    for name, i in graph_out.items():
        produced = rename[name]
        if types.get(produced) != F16:
            raise ValueError(f'graph output {name} is {types.get(produced)}, not float16, inside the graph')
        tail.append(helper.make_node('Cast', [produced], [name], name=f'{produced}_input_cast{i}', to=F32))
    return head + body + tail
