/**
 * Two tiny ONNX graphs the decoder runs on ONNX Runtime's own WebGPU queue, next to the model:
 *
 * - `pickGraph`: the last position's logits of some rows, `last = Slice(Gather(logits, rows, axis 0),
 *   -1:, axis 1)` ([rows, seq, vocab] to [k, 1, vocab]), so only those bytes are read back;
 * - `gatherGraph`: the same rows of every cache tensor, `y_i = Gather(x_i, rows, axis 0)`, the row copies
 *   of the cache (prompt to every row, a stopped row dropped), ordered with the model's runs because
 *   ONNX Runtime records both into one command encoder.
 *
 * The protobuf is written by hand for these few messages (onnx/onnx.proto field numbers, the ones
 * graph-ops.ts reads): the app ships no ONNX builder, and protobufjs would still need onnx.proto's schema.
 */

/** TensorProto.DataType values. */
const ELEM = { float32: 1, int64: 7, float16: 10 } as const;
export type FloatType = 'float32' | 'float16';

class Proto {
  private readonly parts: number[] = [];

  private varint(value: bigint): void {
    let v = BigInt.asUintN(64, value);
    while (v >= 0x80n) {
      this.parts.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.parts.push(Number(v));
  }

  int(field: number, value: number | bigint): this {
    this.varint(BigInt(field * 8));
    this.varint(BigInt(value));
    return this;
  }

  bytes(field: number, body: Uint8Array | number[]): this {
    this.varint(BigInt(field * 8 + 2));
    this.varint(BigInt(body.length));
    for (const b of body) this.parts.push(b);
    return this;
  }

  string(field: number, text: string): this {
    return this.bytes(field, new TextEncoder().encode(text));
  }

  message(field: number, body: Proto): this {
    return this.bytes(field, body.parts);
  }

  /** A packed repeated int64 field. */
  packed(field: number, values: readonly bigint[]): this {
    const inner = new Proto();
    for (const v of values) inner.varint(v);
    return this.bytes(field, inner.parts);
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

/** ValueInfoProto with a tensor type; a dimension is a name (dim_param) or a size (dim_value). */
function valueInfo(name: string, elem: number, dims: ReadonlyArray<string | number>): Proto {
  const shape = new Proto();
  for (const d of dims) shape.message(1, typeof d === 'number' ? new Proto().int(1, d) : new Proto().string(2, d));
  const tensor = new Proto().int(1, elem).message(2, shape);
  return new Proto().string(1, name).message(2, new Proto().message(1, tensor));
}

function node(op: string, inputs: string[], outputs: string[], ints: Record<string, number> = {}): Proto {
  const n = new Proto();
  for (const i of inputs) n.string(1, i);
  for (const o of outputs) n.string(2, o);
  n.string(4, op);
  // AttributeProto: name 1, i 3, type 20 (INT = 2).
  for (const [name, v] of Object.entries(ints)) n.message(5, new Proto().string(1, name).int(3, v).int(20, 2));
  return n;
}

function int64Initializer(name: string, values: bigint[]): Proto {
  return new Proto().int(1, values.length).int(2, ELEM.int64).packed(7, values).string(8, name);
}

function model(graph: Proto): Uint8Array {
  // ir_version 8, opset 13 of the default domain.
  return new Proto().int(1, 8).string(2, 'math-tutor').message(8, new Proto().string(1, '').int(2, 13)).message(7, graph).finish();
}

/** Inputs `logits` [rows, seq, vocab] and `rows` int64 [k]; output `last` [k, 1, vocab]. */
export function pickGraph(type: FloatType): Uint8Array {
  const g = new Proto();
  g.message(1, node('Gather', ['logits', 'rows'], ['picked'], { axis: 0 }));
  g.message(1, node('Slice', ['picked', 'starts', 'ends', 'axes'], ['last']));
  g.string(2, 'pick_last_logits');
  g.message(5, int64Initializer('starts', [-1n]));
  g.message(5, int64Initializer('ends', [(1n << 62n)]));
  g.message(5, int64Initializer('axes', [1n]));
  g.message(11, valueInfo('logits', ELEM[type], ['rows', 'seq', 'vocab']));
  g.message(11, valueInfo('rows', ELEM.int64, ['k']));
  g.message(12, valueInfo('last', ELEM[type], ['k', 1, 'vocab']));
  return model(g);
}

/** Inputs `x0`..`x{n-1}` (rank 4, rows first) and `rows` int64 [k]; outputs `y0`..`y{n-1}`, the rows gathered. */
export function gatherGraph(type: FloatType, n: number): Uint8Array {
  const g = new Proto();
  for (let i = 0; i < n; i += 1) g.message(1, node('Gather', [`x${i}`, 'rows'], [`y${i}`], { axis: 0 }));
  g.string(2, 'gather_cache_rows');
  for (let i = 0; i < n; i += 1) g.message(11, valueInfo(`x${i}`, ELEM[type], ['rows', 'heads', 'time', 'dim']));
  g.message(11, valueInfo('rows', ELEM.int64, ['k']));
  for (let i = 0; i < n; i += 1) g.message(12, valueInfo(`y${i}`, ELEM[type], ['k', 'heads', 'time', 'dim']));
  return model(g);
}
