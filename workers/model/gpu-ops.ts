/**
 * Work on tensors the model left on the GPU, done by ONNX Runtime itself so that it is ordered with
 * the model's runs whatever ONNX Runtime's submission schedule. Its WebGPU backend (JSEP) records every
 * kernel of every session into one command encoder (`WebGpuBackend` in onnxruntime-web's
 * lib/wasm/jsep/backend-webgpu.ts) and submits it when 16 dispatches are pending, when something is
 * read back (`downloadGpuData`), and at the end of each run (`runAsync` in onnxruntime/wasm/pre-jsep.js:
 * "Flush the backend"). That last flush is what made a command buffer of our own, submitted after
 * `run()` resolved, come after the model's kernels; it is an implementation detail, not API (the
 * native WebGPU execution provider has its own schedule). A Gather recorded into the same encoder
 * needs none of it. A tensor disposed here goes back to ONNX Runtime's buffer pool only after the
 * commands that read it are submitted (`GpuDataManager.release` / `refreshPendingBuffers`), where a
 * buffer of our own had to be destroyed by us.
 *
 * - `gatherRows`: rows of every cache tensor (prompt copied to every row, a stopped row dropped), one
 *   Gather per tensor in one run; the results stay on the GPU.
 * - `lastLogits`: the last position's logits of the rows that were fed, as float32 in JavaScript;
 *   the logits of the other positions and rows never leave the GPU.
 */
import { serialOf } from '../common/serial.ts';
import { floatsOf, type OrtLike, type SessionLike, type TensorLike } from './ort-types.ts';
import { gatherGraph, pickGraph, type FloatType } from './onnx-build.ts';
import { guardSession, watchDeviceLoss } from './device-loss.ts';

interface PerDevice {
  sessions: Map<string, Promise<SessionLike>>;
  /** Rejects when the device is lost: every call here races it, as the model's runs do (device-loss.ts). */
  lost: Promise<never>;
}

/** Helper sessions per WebGPU device (a lost device's sessions go with it) and graph. */
const cache = new WeakMap<object, PerDevice>();

async function onDevice(ort: OrtLike): Promise<PerDevice> {
  const device = (await Promise.resolve(ort.env?.webgpu?.device)) as object | undefined;
  if (!device || !ort.InferenceSession) throw new Error('The model left tensors on the GPU, but ONNX Runtime gives no WebGPU device or session to work on them.');
  let entry = cache.get(device);
  if (!entry) cache.set(device, (entry = { sessions: new Map(), lost: watchDeviceLoss({ env: { webgpu: { device } } }) }));
  return entry;
}

async function helper(ort: OrtLike, key: string, graph: () => Uint8Array, gpuOutputs: string[]): Promise<SessionLike> {
  const { sessions, lost } = await onDevice(ort);
  let session = sessions.get(key);
  if (!session) {
    const preferredOutputLocation = Object.fromEntries(gpuOutputs.map((n) => [n, 'gpu-buffer']));
    const created = ort.InferenceSession!.create(graph(), { executionProviders: ['webgpu'], preferredOutputLocation }) as Promise<SessionLike>;
    session = Promise.race([created, lost]).then((s) => guardSession(s, lost));
    session.catch(() => sessions.delete(key));
    sessions.set(key, session);
  }
  return session;
}

const rowsTensor = (ort: OrtLike, rows: readonly number[]) => new ort.Tensor('int64', BigInt64Array.from(rows.map(BigInt)), [rows.length]);

/** The tensors' rows `rows` (indices into their first axis, repeats allowed), on the GPU. The inputs stay the caller's. */
export async function gatherRows(ort: OrtLike, tensors: readonly TensorLike[], rows: readonly number[], type: FloatType): Promise<TensorLike[]> {
  const n = tensors.length;
  const outputs = Array.from({ length: n }, (_, i) => `y${i}`);
  const session = await helper(ort, `gather/${type}/${n}`, () => gatherGraph(type, n), outputs);
  const feeds: Record<string, TensorLike> = { rows: rowsTensor(ort, rows) };
  tensors.forEach((t, i) => (feeds[`x${i}`] = t));
  const out = await serialOf(session).run(() => session.run(feeds));
  feeds.rows!.dispose?.();
  return outputs.map((name) => out[name]!);
}

export interface LastLogits {
  /** Row r's logits (r an index into `rows`), as float32. */
  of(r: number): Float32Array;
  /** Bytes read back from the execution provider, and sent to it (row indices). */
  downloaded: number;
  uploaded: number;
}

const elementBytes = (type: FloatType) => (type === 'float16' ? 2 : 4);

/**
 * The last position's logits for `rows` (indices into the batch) of `logits` [batch, kept, vocab]:
 * read from JavaScript memory where the output is there; on the GPU only those rows' last position is
 * read back (all of the tensor when that is exactly what is needed). A GPU output is disposed.
 */
export async function lastLogits(ort: OrtLike, logits: TensorLike, rows: readonly number[], type: FloatType, vocab: number): Promise<LastLogits> {
  const [batch = 1, kept = 1] = logits.dims;
  if (logits.location !== 'gpu-buffer') {
    const data = logits.data as ArrayLike<number>;
    const at = (r: number) => rows[r]! * kept + (kept - 1);
    return { of: (r) => floatsOf(data, at(r) * vocab, (at(r) + 1) * vocab, type), downloaded: (data as unknown as ArrayBufferView).byteLength, uploaded: 0 };
  }
  try {
    if (kept === 1 && rows.length === batch && rows.every((r, i) => r === i)) {
      const data = (await Promise.race([logits.getData!(), (await onDevice(ort)).lost])) as unknown as ArrayLike<number>;
      return { of: (r) => floatsOf(data, r * vocab, (r + 1) * vocab, type), downloaded: batch * vocab * elementBytes(type), uploaded: 0 };
    }
    const session = await helper(ort, `pick/${type}`, () => pickGraph(type), []);
    const index = rowsTensor(ort, rows);
    const out = await serialOf(session).run(() => session.run({ logits, rows: index }));
    index.dispose?.();
    const data = out.last!.data as ArrayLike<number>;
    return { of: (r) => floatsOf(data, r * vocab, (r + 1) * vocab, type), downloaded: rows.length * vocab * elementBytes(type), uploaded: 8 * rows.length };
  } finally {
    logits.dispose?.();
  }
}
