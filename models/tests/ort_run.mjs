// Runs converted decoder graphs with ONNX Runtime (Node, CPU) for models/tests/test_convert.py:
// a prefill of the first `split` columns with an empty past, then the remaining columns fed with the
// prefill's present key/values as the past. Prints the logits and values of both calls as JSON.
//   node models/tests/ort_run.mjs <request.json>
//   request: { graphs: [path], input_ids: [[...]], attention_mask: [[...]], position_ids: [[...]], split, kvHeads, headDim,
//              basic: [path] (also run these with graphOptimizationLevel 'basic': ORT's extended CPU optimizations turn
//              DequantizeLinear(int8) + MatMul into a MatMul on dynamically quantized activations) }
//   prints { [graph]: [prefill, step], [graph + ' basic']: [prefill, step] }
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';

const req = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const b = req.input_ids.length;
const cols = (rows, a, z) => rows.map((r) => r.slice(a, z));
const i64 = (rows) => new ort.Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [rows.length, rows[0].length]);
const result = {};
const runs = [...req.graphs.map((g) => [g, 'all']), ...(req.basic ?? []).map((g) => [g, 'basic'])];
for (const [graph, level] of runs) {
  const session = await ort.InferenceSession.create(graph, { graphOptimizationLevel: level });
  const calls = [];
  let past = {};
  for (const name of session.inputNames) {
    if (name.startsWith('past_key_values')) past[name] = new ort.Tensor('float32', new Float32Array(0), [b, req.kvHeads, 0, req.headDim]);
  }
  const n = req.input_ids[0].length;
  for (const [a, z] of [[0, req.split], [req.split, n]]) {
    const feeds = { input_ids: i64(cols(req.input_ids, a, z)), attention_mask: i64(cols(req.attention_mask, 0, z)), position_ids: i64(cols(req.position_ids, a, z)), ...past };
    const out = await session.run(feeds);
    calls.push({ logits: Array.from(out.logits.data), dims: out.logits.dims, values: out.values ? Array.from(out.values.data) : null });
    past = {};
    for (const name of session.inputNames) {
      if (name.startsWith('past_key_values')) past[name] = out[name.replace('past_key_values', 'present')];
    }
  }
  result[level === 'all' ? graph : `${graph} ${level}`] = calls;
}
console.log(JSON.stringify(result));
