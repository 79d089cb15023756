/**
 * The operators an ONNX graph uses, read from the model file's protobuf without decoding the
 * weights (initializers are skipped by their length), so even a single-file 1.7 GB graph is read
 * in milliseconds. Used to refuse graphs the batched decoder would run wrongly, before a session
 * is created.
 *
 * ModelProto.graph is field 7; GraphProto.node field 1; NodeProto.op_type field 4, domain field 7
 * (onnx/onnx.proto).
 */
import { UnsupportedGraphError } from './decoder.ts';

interface Field {
  field: number;
  start: number;
  end: number;
}

function varint(b: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  let scale = 1;
  for (let i = at; i < b.length; i += 1) {
    const byte = b[i]!;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return [value, i + 1];
    scale *= 128;
  }
  throw new UnsupportedGraphError('The model file ends in the middle of a field: it is not a complete ONNX graph.');
}

/** The length-delimited fields of one message (other wire types are skipped). */
function* lenFields(b: Uint8Array, start: number, end: number): Generator<Field> {
  let at = start;
  while (at < end) {
    const [key, next] = varint(b, at);
    const field = Math.floor(key / 8);
    const wire = key % 8;
    at = next;
    if (wire === 0) at = varint(b, at)[1];
    else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else if (wire === 2) {
      const [length, body] = varint(b, at);
      yield { field, start: body, end: body + length };
      at = body + length;
    } else throw new UnsupportedGraphError(`The model file has a field of wire type ${wire}: it is not an ONNX graph.`);
  }
  if (at !== end) throw new UnsupportedGraphError('The model file is truncated: it is not a complete ONNX graph.');
}

/** "domain:op_type" ("" for the default domain) of every node of the main graph. */
export function graphOperators(model: Uint8Array): Set<string> {
  const text = new TextDecoder();
  const ops = new Set<string>();
  for (const g of lenFields(model, 0, model.length)) {
    if (g.field !== 7) continue;
    for (const n of lenFields(model, g.start, g.end)) {
      if (n.field !== 1) continue;
      let op = '';
      let domain = '';
      for (const f of lenFields(model, n.start, n.end)) {
        if (f.field === 4) op = text.decode(model.subarray(f.start, f.end));
        else if (f.field === 7) domain = text.decode(model.subarray(f.start, f.end));
      }
      ops.add(`${domain}:${op}`);
    }
  }
  return ops;
}

/**
 * Refuses, by name, a graph whose attention the batched decoder would feed wrongly:
 * com.microsoft GroupQueryAttention reads each row's length from the attention mask's sum and
 * assumes the row's cache is contiguous, while the decoder leaves masked gaps for paused rows and
 * left-pads appended text.
 */
export function checkOperators(model: Uint8Array): void {
  const ops = graphOperators(model);
  if (ops.has('com.microsoft:GroupQueryAttention')) {
    throw new UnsupportedGraphError("This model's graph uses GroupQueryAttention, which reads each row's length from the attention mask; the batched decoder masks gaps in a row (paused solutions, left padding), which it would read wrongly.", {
      hint: 'Choose another build of the model (one exported without GroupQueryAttention), or convert the checkpoint with models/convert/convert.py.',
    });
  }
}
