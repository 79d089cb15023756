/**
 * The parts of ONNX Runtime the model layer uses, as structural types (onnxruntime-web and -node both fit),
 * and reading tensor data as floats. Imported by the decoder and its GPU helpers alike, so neither imports the other.
 */

export interface TensorLike {
  readonly data: ArrayLike<number> | ArrayLike<bigint>;
  readonly dims: readonly number[];
  readonly type?: string;
  /** Where ONNX Runtime keeps the data: 'cpu', or 'gpu-buffer' for an output left on the GPU (then `data` cannot be read). */
  readonly location?: string;
  readonly gpuBuffer?: GPUBuffer;
  /** Reads a GPU output back (ONNX Runtime Web's Tensor.getData). */
  getData?(): Promise<ArrayLike<number> | ArrayLike<bigint>>;
  dispose?(): void;
}

/** A float16 tensor's data: raw halves (Uint16Array), or Float16Array where the runtime has it. */
export type KvArray = Float32Array | Uint16Array;

export interface OrtLike {
  Tensor: {
    new (type: 'int64' | 'float32' | 'float16', data: BigInt64Array | Float32Array | Uint16Array, dims: readonly number[]): TensorLike;
  };
  /** ONNX Runtime Web: the decoder's helper graphs on the GPU (gpu-ops.ts: row copies, last-position logits). */
  InferenceSession?: { create(model: Uint8Array, options: object): Promise<unknown> };
  /** ONNX Runtime Web's WebGPU device, once a WebGPU session exists. */
  env?: { webgpu?: { device?: unknown } };
}

/** An input or output as ONNX Runtime's session metadata describes it (`InferenceSession.ValueMetadata`). */
export interface GraphValue {
  readonly name: string;
  readonly isTensor: boolean;
  readonly type?: string;
  readonly shape?: ReadonlyArray<number | string>;
}

export interface SessionLike {
  run(feeds: Record<string, TensorLike>): Promise<Record<string, TensorLike>>;
  /** Frees the session's memory (ONNX Runtime's InferenceSession.release). */
  release?(): Promise<void>;
  readonly inputNames?: readonly string[];
  readonly outputNames?: readonly string[];
  readonly inputMetadata?: readonly GraphValue[];
  readonly outputMetadata?: readonly GraphValue[];
}

/** IEEE half to float (for float16 logits). */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return sign * f * 2 ** -24;
  if (e === 31) return f ? NaN : sign * Infinity;
  return sign * (1 + f / 1024) * 2 ** (e - 15);
}

/** Elements [start, end) of a float32 or float16 output as float32. */
export function floatsOf(data: ArrayLike<number>, start: number, end: number, type: 'float32' | 'float16'): Float32Array {
  if (data instanceof Float32Array) return data.slice(start, end);
  const out = new Float32Array(end - start);
  // Raw halves (Uint16Array) are converted; a Float16Array already reads as numbers.
  if (type === 'float16' && data instanceof Uint16Array) for (let i = start; i < end; i += 1) out[i - start] = halfToFloat(data[i]!);
  else for (let i = start; i < end; i += 1) out[i - start] = data[i]!;
  return out;
}
