/**
 * How much memory a package needs on a device, and the batch and context that fit.
 *
 *   total = weights + KV cache x 2 + activations
 *
 * - weights: the quantized matrices at the variant's bits per parameter, plus the token
 *   embedding, which the ONNX quantizers leave unquantized (it is a Gather, not a MatMul);
 *   a tied output projection is a second, quantized copy of it in the graph.
 * - KV cache: layers x kv_heads x head_dim x 2 (key, value) x bytes x context x batch.
 *   It is counted twice: during a model call the past cache (input) and the present
 *   cache (output) are both alive. fp32 graphs carry a float32 cache, fp16/q4f16 a float16 one.
 * - activations: the largest single call: the prompt prefill (one row) or a window of
 *   appended text (code output) fed to every row of the batch. Logits come out for every
 *   fed position (vocab x 4 bytes each), then the MLP and attention scores.
 *
 * No browser reports free GPU memory, so the budget is the caller's estimate; the largest
 * single buffer is known (WebGPU `maxBufferSize`, the 4 GiB of 32-bit WebAssembly).
 * Pure: no I/O, tested with the numbers of real models.
 */
import { AppError, registerError } from '../common/errors.ts';

export type Dtype = 'fp32' | 'fp16' | 'q8' | 'q4' | 'q4f16';

export interface ArchitectureSize {
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  hiddenSize: number;
  vocabSize: number;
  /** All parameters, the token embedding counted once. */
  parameters: number;
  /** The output projection shares the token embedding's weights (Qwen2.5 1.5B, the demo model). */
  tiedEmbeddings?: boolean;
}

export interface DeviceBudget {
  device: 'webgpu' | 'wasm' | 'cpu';
  /** Bytes the model may use in all. */
  memoryBytes: number;
  /** Largest single buffer (tensor) the device accepts. */
  maxBufferBytes: number;
}

export interface PlanRequest {
  /** Sequences decoded together (the solver's samples); shrunk to fit, down to 1. */
  batch: number;
  /** Tokens per sequence, prompt included; shrunk to fit, down to `minContext`. */
  context: number;
  /** Shortest useful context (default: min(context, 512)). */
  minContext?: number;
  /** Tokens of the prompt prefill (one row; default 256). */
  prefillTokens?: number;
  /** Tokens of appended text fed to all rows at once (default 128). */
  windowTokens?: number;
  /**
   * The dtype of the cache the graph takes and returns (the variant's `kvCacheDtype`: config.json's
   * `transformers.js_config.kv_cache_dtype`, or the session's input types once loaded); default `KV_DTYPE`.
   */
  kvCacheDtype?: KvDtype;
}

export interface MemoryNeed {
  weightsBytes: number;
  /** One copy of the cache at full context for the whole batch. */
  kvCacheBytes: number;
  activationsBytes: number;
  /** weights + 2 x KV cache + activations. */
  totalBytes: number;
  /** The largest single tensor: embedding, a layer's cache for the batch, or the logits of a call. */
  largestBufferBytes: number;
}

export interface MemoryPlan extends MemoryNeed {
  batch: number;
  context: number;
  /** What was cut to fit, in words ("batch 8 → 4"); empty when the request fits as asked. */
  reductions: string[];
}

export class MemoryPlanError extends AppError {
  override name = 'MemoryPlanError';
}
registerError(MemoryPlanError);

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

/** Bytes per quantized weight: q4 is 4 bits plus one fp16 scale per block of 32; q8 one fp32 scale per output channel (negligible). */
export const WEIGHT_BYTES: Record<Dtype, number> = { fp32: 4, fp16: 2, q8: 1, q4: 0.5 + 2 / 32, q4f16: 0.5 + 2 / 32 };
/** Bytes of the unquantized embedding and of the cache: float16 graphs keep float16, the others float32. */
export const FLOAT_BYTES: Record<Dtype, number> = { fp32: 4, fp16: 2, q8: 4, q4: 4, q4f16: 2 };

/** 32-bit WebAssembly addresses 4 GiB at most; ONNX Runtime Web's heap lives inside it. */
export const WASM_MAX_BYTES = 4 * GiB;

export function formatBytes(bytes: number): string {
  if (bytes >= GiB) return `${(bytes / GiB).toFixed(2)} GiB`;
  return bytes >= MiB ? `${(bytes / MiB).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

export function weightsBytes(a: ArchitectureSize, dtype: Dtype): number {
  const embedding = a.vocabSize * a.hiddenSize;
  const quantized = a.parameters - embedding + (a.tiedEmbeddings ? embedding : 0);
  return Math.round(quantized * WEIGHT_BYTES[dtype] + embedding * FLOAT_BYTES[dtype]);
}

export type KvDtype = 'float32' | 'float16';

/**
 * The cache dtype of a variant whose repository names none: float16 for fp16 graphs; float32 for the
 * others, q4f16 included (onnx-community's q4f16 exports convert with keep_io_types=True, so their
 * past_key_values / present stay float32 around float16 weights).
 */
export const KV_DTYPE: Record<Dtype, KvDtype> = { fp32: 'float32', fp16: 'float16', q8: 'float32', q4: 'float32', q4f16: 'float32' };

/** One copy of the KV cache. */
export function kvCacheBytes(a: ArchitectureSize, dtype: Dtype, context: number, batch: number, kvDtype: KvDtype = KV_DTYPE[dtype]): number {
  return a.numLayers * a.numKvHeads * a.headDim * 2 * (kvDtype === 'float16' ? 2 : 4) * context * batch;
}

/** Working memory of one model call feeding `tokens` positions to each of `rows` rows after `past` cached ones. */
export function callActivationBytes(a: ArchitectureSize, rows: number, tokens: number, past: number): number {
  const positions = rows * tokens;
  const logits = positions * a.vocabSize * 4;
  // Hidden states, q/k/v/o and the MLP (up to ~6x hidden wide in Llama/Qwen), float32.
  const hidden = positions * a.hiddenSize * 12 * 4;
  const scores = rows * a.numHeads * tokens * (past + tokens) * 4;
  return logits + hidden + scores;
}

export function memoryNeed(a: ArchitectureSize, dtype: Dtype, batch: number, context: number, request: Pick<PlanRequest, 'prefillTokens' | 'windowTokens' | 'kvCacheDtype'> = {}): MemoryNeed {
  const prefill = Math.min(request.prefillTokens ?? 256, context);
  const window = Math.min(request.windowTokens ?? 128, context);
  const weights = weightsBytes(a, dtype);
  const kv = kvCacheBytes(a, dtype, context, batch, request.kvCacheDtype);
  const activations = Math.max(
    callActivationBytes(a, 1, prefill, 0),
    callActivationBytes(a, batch, window, context - window),
    callActivationBytes(a, batch, 1, context - 1),
  );
  const largestBufferBytes = Math.max(
    a.vocabSize * a.hiddenSize * FLOAT_BYTES[dtype],
    kv / a.numLayers / 2,
    Math.max(prefill, batch * window) * a.vocabSize * 4,
  );
  return { weightsBytes: weights, kvCacheBytes: kv, activationsBytes: activations, totalBytes: weights + 2 * kv + activations, largestBufferBytes };
}

function fits(need: MemoryNeed, budget: DeviceBudget): boolean {
  return need.totalBytes <= budget.memoryBytes && need.largestBufferBytes <= budget.maxBufferBytes;
}

/**
 * The largest batch (halving from the request), then the longest context (halving, not
 * below `minContext`), that fit the budget; MemoryPlanError with the numbers when even
 * one sequence at the shortest context does not.
 */
export function planMemory(a: ArchitectureSize, dtype: Dtype, budget: DeviceBudget, request: PlanRequest): MemoryPlan {
  const minContext = Math.min(request.minContext ?? Math.min(request.context, 512), request.context);
  const batches: number[] = [];
  for (let b = Math.max(1, request.batch); b > 1; b = Math.floor(b / 2)) batches.push(b);
  batches.push(1);
  const contexts: number[] = [];
  for (let c = request.context; c > minContext; c = Math.floor(c / 2)) contexts.push(c);
  contexts.push(minContext);
  for (const context of contexts) {
    for (const batch of batches) {
      const need = memoryNeed(a, dtype, batch, context, request);
      if (!fits(need, budget)) continue;
      const reductions: string[] = [];
      if (batch < request.batch) reductions.push(`batch ${request.batch} → ${batch}`);
      if (context < request.context) reductions.push(`context ${request.context} → ${context} tokens`);
      return { ...need, batch, context, reductions };
    }
  }
  const need = memoryNeed(a, dtype, 1, minContext, request);
  const where = budget.device === 'webgpu' ? 'the GPU' : 'WebAssembly';
  const parts = `weights ${formatBytes(need.weightsBytes)}, KV cache 2 x ${formatBytes(need.kvCacheBytes)}, working memory ${formatBytes(need.activationsBytes)}`;
  const message = need.largestBufferBytes > budget.maxBufferBytes
    ? `This model (${dtype}) needs a single buffer of ${formatBytes(need.largestBufferBytes)}, but ${where} allows at most ${formatBytes(budget.maxBufferBytes)} per buffer.`
    : `This model (${dtype}) needs ${formatBytes(need.totalBytes)} even for one solution of ${minContext} tokens (${parts}), but ${where} has about ${formatBytes(budget.memoryBytes)}.`;
  throw new MemoryPlanError(message, {
    hint: 'Choose a smaller model, or a device with more memory.',
    details: { dtype, device: budget.device, context: minContext, ...need, memoryBytes: budget.memoryBytes, maxBufferBytes: budget.maxBufferBytes },
  });
}

/** A graph variant's files as downloaded: the .onnx file (weights stored inside it included) and its external-data shards. */
export interface GraphFiles {
  graphBytes: number;
  externalBytes: number;
}

/**
 * WebAssembly memory while ONNX Runtime Web creates a session, per byte of the files it is given.
 * A single-file graph is copied whole into the heap and parsed there, the parsed protobuf holding a
 * second copy of the weights stored inside the file, and on WebAssembly the session's tensors a third;
 * external-data shards are read into the tensors (WebAssembly) or uploaded to GPU buffers (WebGPU).
 * Measured by bench/session-memory.bench.ts (bench/results/session-memory.json: ONNX Runtime Web in
 * Chromium, 393 MB of fp32 weights): 3.15 (WebAssembly) and 2.45 (WebGPU) for a single file, 1.55 and
 * 0 for external data; rounded up here.
 */
export const CREATION_FACTORS = { wasm: { graph: 3.2, external: 1.6 }, webgpu: { graph: 2.5, external: 0 } } as const;

export function creationHeapBytes(files: GraphFiles, device: 'webgpu' | 'wasm' | 'cpu'): number {
  const f = device === 'webgpu' ? CREATION_FACTORS.webgpu : CREATION_FACTORS.wasm;
  return Math.round(f.graph * files.graphBytes + f.external * files.externalBytes);
}

/** MemoryPlanError, before anything is downloaded, when the session could not be created within 32-bit WebAssembly's 4 GiB. */
export function checkCreation(files: GraphFiles, dtype: Dtype, device: 'webgpu' | 'wasm' | 'cpu'): void {
  const heap = creationHeapBytes(files, device);
  if (heap <= WASM_MAX_BYTES) return;
  const where = device === 'webgpu' ? 'even on the GPU path, ' : '';
  const what = files.externalBytes === 0
    ? `The ${dtype} graph is a single file of ${formatBytes(files.graphBytes)}: ${where}ONNX Runtime Web copies it whole into its WebAssembly memory to create the session, which takes about ${formatBytes(heap)} there`
    : `Creating the ${dtype} session takes about ${formatBytes(heap)} of WebAssembly memory (graph ${formatBytes(files.graphBytes)}, weights ${formatBytes(files.externalBytes)})`;
  throw new MemoryPlanError(`${what}, more than the ${formatBytes(WASM_MAX_BYTES)} WebAssembly can address.`, {
    hint: device === 'webgpu' ? 'Choose a smaller model.' : 'Use a device with a GPU (WebGPU), or a smaller model or variant.',
    details: { dtype, device, ...files, heapBytes: heap, maxBytes: WASM_MAX_BYTES },
  });
}

/**
 * A budget from what the browser reports. WebGPU gives no memory size: assume half the
 * device memory (navigator.deviceMemory, capped at 8 GiB by browsers), at least 2 GiB.
 * WebAssembly: the same, and never more than 32-bit WebAssembly can address.
 */
export function budgetFor(device: 'webgpu' | 'wasm', gpu: { maxBufferSize?: number; maxStorageBufferBindingSize?: number } | undefined, deviceMemoryGiB: number | undefined): DeviceBudget {
  const memory = Math.max(2, (deviceMemoryGiB ?? 8) / 2) * GiB;
  // A tensor is bound to a shader as one storage buffer: the binding limit counts as well as the buffer limit.
  if (device === 'webgpu') return { device, memoryBytes: memory, maxBufferBytes: Math.min(gpu?.maxBufferSize ?? 256 * MiB, gpu?.maxStorageBufferBindingSize ?? 128 * MiB) };
  const wasmBytes = Math.min(memory, WASM_MAX_BYTES);
  return { device, memoryBytes: wasmBytes, maxBufferBytes: wasmBytes };
}
