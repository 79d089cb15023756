// Runs an exported graph with ONNX Runtime (Node, CPU) on the reference inputs that
// export_onnx.py computed with torch, and prints the largest differences.
//   node models/export/verify_ort.mjs <model.onnx> <reference.json> [max-abs-diff]
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';

const [graph, refPath, limitArg] = process.argv.slice(2);
const ref = JSON.parse(readFileSync(refPath, 'utf8'));
const session = await ort.InferenceSession.create(graph);
const b = ref.input_ids.length;
const n = ref.input_ids[0].length;
const i64 = (rows) => new ort.Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [rows.length, rows[0].length]);
const feeds = { input_ids: i64(ref.input_ids), attention_mask: i64(ref.attention_mask), position_ids: i64(ref.position_ids) };
for (const name of session.inputNames) {
  if (!name.startsWith('past_key_values')) continue;
  feeds[name] = new ort.Tensor('float32', new Float32Array(0), [b, ref.num_kv_heads, 0, ref.head_dim]);
}
const out = await session.run(feeds);
const vocab = out.logits.dims[2];
let maxLogit = 0;
for (let r = 0; r < b; r++) {
  for (let v = 0; v < vocab; v++) {
    const got = out.logits.data[(r * n + (n - 1)) * vocab + v];
    maxLogit = Math.max(maxLogit, Math.abs(got - ref.last_logits[r][v]));
  }
}
let maxValue = 0;
for (let r = 0; r < b; r++) maxValue = Math.max(maxValue, Math.abs(out.values.data[r * n + n - 1] - ref.last_values[r]));
console.log(JSON.stringify({ graph, maxLogitDiff: maxLogit, maxValueDiff: maxValue }));
const limit = Number(limitArg ?? 1e-3);
if (!(maxLogit <= limit && maxValue <= limit)) {
  console.error(`ORT differs from torch by more than ${limit}`);
  process.exit(1);
}
