/**
 * The batched decode loop the solver drives. All sequences share one KV cache laid
 * out [rows, kv_heads, time, head_dim]: the prompt is prefilled once and copied to
 * every row; each step feeds every row its next token in one run; a paused row
 * feeds masked padding; appended text (code output) is prefilled for its row while
 * the other rows feed their next token in the same window (left-padded), so nobody
 * waits. Stopped rows are dropped from the batch. Works with onnxruntime-web and
 * onnxruntime-node alike (the ORT module and session are passed in).
 */
import { Serial, serialOf } from '../common/serial.ts';
import type { DecodeSession, SamplerSpec, StepOutput } from '../types.ts';
import { AppError, registerError } from '../common/errors.ts';
import { sampleToken, seededRandom } from './sampler.ts';
import { StreamDetokenizer } from './detokenize.ts';
import { gatherRows, lastLogits } from './gpu-ops.ts';
import { floatsOf, type GraphValue, type KvArray, type OrtLike, type SessionLike, type TensorLike } from './ort-types.ts';

export { floatsOf };
export type { GraphValue, KvArray, OrtLike, SessionLike, TensorLike } from './ort-types.ts';

/** Bytes that crossed between JavaScript and the execution provider (uploaded inputs, downloaded outputs), cumulative. */
export interface TransferBytes {
  upload: number;
  download: number;
  /** Of those, the cache: past_key_values fed from JavaScript, present read back into it. */
  kvUpload: number;
  kvDownload: number;
}

const byteLength = (t: TensorLike) => (t.data as unknown as ArrayBufferView).byteLength;

export class UnsupportedGraphError extends AppError {
  override name = 'UnsupportedGraphError';
}
registerError(UnsupportedGraphError);

/** What the graph declares, read from the session: which optional inputs to feed, the cache and logits dtypes. */
export interface GraphIO {
  positionIds: boolean;
  /** The name of the input asking for the logits of the last k positions only (`num_logits_to_keep`), if declared. */
  logitsToKeep: string | undefined;
  kvType: 'float32' | 'float16';
  logitsType: 'float32' | 'float16';
  values: boolean;
}

const PAST = /^past_key_values\.(\d+)\.(key|value)$/;

/**
 * The inputs and outputs the decoder feeds and reads, from the session's names and metadata (as
 * transformers.js does). Refuses, naming it and its dtype, an input the decoder cannot feed; a
 * session without metadata is taken to be the package format's graph.
 */
export function graphIO(session: SessionLike, shape: Pick<DecoderShape, 'numLayers'>): GraphIO {
  const kvNames = Array.from({ length: shape.numLayers }, (_, l) => [`past_key_values.${l}.key`, `past_key_values.${l}.value`]).flat();
  const inputs = session.inputNames ?? ['input_ids', 'attention_mask', 'position_ids', ...kvNames];
  const outputs = session.outputNames ?? ['logits', ...kvNames.map((n) => n.replace('past_key_values', 'present'))];
  const typeOf = (list: readonly GraphValue[] | undefined, name: string) => {
    const m = list?.find((v) => v.name === name);
    return m === undefined ? undefined : m.isTensor ? (m.type ?? 'unknown') : 'not a tensor';
  };
  const refuse = (what: string): never => {
    throw new UnsupportedGraphError(`This model's graph ${what}, which the tutor cannot feed.`, { hint: 'Choose another model, or convert the checkpoint with models/convert/convert.py.' });
  };
  const io: GraphIO = { positionIds: false, logitsToKeep: undefined, kvType: 'float32', logitsType: 'float32', values: outputs.includes('values') };
  const kvTypes = new Set<string>();
  for (const name of inputs) {
    const type = typeOf(session.inputMetadata, name);
    const int64 = () => type === undefined || type === 'int64' || refuse(`takes "${name}" as ${type}, not int64`);
    if (name === 'input_ids' || name === 'attention_mask') int64();
    else if (name === 'position_ids') io.positionIds = int64();
    else if (name === 'num_logits_to_keep' || name === 'logits_to_keep') io.logitsToKeep = int64() ? name : undefined;
    else if (PAST.test(name)) {
      const layer = Number(PAST.exec(name)![1]);
      if (layer >= shape.numLayers) refuse(`has an input "${name}" (${type ?? 'unknown'}) for a layer the package does not have (it has ${shape.numLayers})`);
      if (type !== undefined && type !== 'float32' && type !== 'float16') refuse(`takes "${name}" as ${type}, neither float32 nor float16`);
      kvTypes.add(type ?? 'float32');
    } else refuse(`has an input "${name}" (${type ?? 'unknown'})`);
  }
  for (const name of ['input_ids', 'attention_mask', ...kvNames]) if (!inputs.includes(name)) refuse(`lacks the input "${name}"`);
  if (kvTypes.size > 1) refuse(`mixes float32 and float16 cache inputs`);
  io.kvType = kvTypes.has('float16') ? 'float16' : 'float32';
  if (!outputs.includes('logits')) refuse('has no "logits" output');
  for (const name of kvNames.map((n) => n.replace('past_key_values', 'present'))) if (!outputs.includes(name)) refuse(`lacks the output "${name}"`);
  const lt = typeOf(session.outputMetadata, 'logits');
  if (lt !== undefined && lt !== 'float32' && lt !== 'float16') refuse(`returns logits as ${lt}`);
  io.logitsType = lt === 'float16' ? 'float16' : 'float32';
  return io;
}

export interface TokenizerLike {
  encode(text: string): number[];
  decode(ids: number[]): string;
  /**
   * Tokens for text that continues a sequence (appended code output), as tokenizing the whole
   * text would give them: without the word-start prefix a SentencePiece tokenizer adds to a text's start.
   */
  encodeContinuation?(text: string): number[];
  /** The beginning-of-sequence token, when the tokenizer has one (added to a prompt only when its format asks). */
  bosTokenId?: number;
}

export interface DecoderShape {
  numLayers: number;
  numKvHeads: number;
  headDim: number;
  vocabSize: number;
  eosTokenIds: number[];
  padTokenId: number;
  hasValues: boolean;
}

interface Row {
  id: number;
  sampler: SamplerSpec;
  random: () => number;
  /** Every token of the sequence after the prompt (generated and appended). */
  tokens: number[];
  /** The sequence's text as it streams: the new text of each token, decoded in context. */
  detok: StreamDetokenizer;
  /** Logits for the next token; undefined until the row has been run. */
  logits: Float32Array | undefined;
  value: number | null;
  /** The value head's output after each token of `tokens` (per-step scores). */
  values: number[];
  /** Next position id. */
  position: number;
  /** Tokens waiting to be fed (the sampled token, or appended text). */
  feed: number[];
  paused: boolean;
}

export class BatchDecoder implements DecodeSession {
  private rows: Row[] = [];
  private readonly stopped = new Map<number, Row>();
  private kv: KvArray[] = [];
  /**
   * The cache as GPU tensors (present.* kept on the GPU by the session: preferredOutputLocation 'gpu-buffer'),
   * layer-major key, value; their rows are copied by ONNX Runtime itself (gpu-ops.ts).
   */
  private gpuKv: TensorLike[] | undefined;
  private time = 0;
  private mask: Uint8Array[] = [];
  private promptTokens: number[] = [];
  /**
   * The session's one Serial (workers/common/serial.ts): an ONNX Runtime session is not re-entrant, and every
   * decoder of it (one per solve, a greedy reference) waits for the others' calls, not only for its own.
   */
  private readonly mutex: Serial;
  /** Model calls made and tokens fed, for benchmarks. */
  stats = { runs: 0, fedTokens: 0 };
  /** Bytes that crossed between JavaScript and the execution provider. */
  transfer: TransferBytes = { upload: 0, download: 0, kvUpload: 0, kvDownload: 0 };
  /** What the graph declares (inputs to feed, dtypes). */
  readonly io: GraphIO;

  constructor(
    private readonly ort: OrtLike,
    private readonly session: SessionLike,
    private readonly tokenizer: TokenizerLike,
    private readonly shape: DecoderShape,
    readonly device: 'webgpu' | 'wasm' | 'cpu',
  ) {
    this.io = graphIO(session, shape);
    this.mutex = serialOf(session);
  }

  private emptyKv(length = 0): KvArray {
    return this.io.kvType === 'float16' ? new Uint16Array(length) : new Float32Array(length);
  }

  /** A new array of the same kind as `layer` (ONNX Runtime Web returns float16 as Float16Array where the browser has one). */
  private static like(layer: KvArray, length: number): KvArray {
    return new (layer.constructor as new (n: number) => KvArray)(length);
  }

  async start(prompt: string, samplers: SamplerSpec[], options: { bos?: boolean } = {}): Promise<void> {
    this.promptTokens = this.tokenizer.encode(prompt);
    // The format's reference harness starts the prompt with the beginning-of-sequence token (MARIO: `<s>`).
    if (options.bos) {
      const bos = this.tokenizer.bosTokenId;
      if (bos === undefined) throw new AppError("This model's solution format starts prompts with a beginning-of-sequence token, and its tokenizer has none.", { hint: 'Choose another model, or convert the checkpoint with its own tokenizer files.' });
      this.promptTokens.unshift(bos);
    }
    this.rows = [];
    this.kv = [];
    this.releaseGpuKv();
    this.time = 0;
    this.mask = [];
    // Prefill the shared prompt once, as a batch of one row.
    const seed: Row = this.newRow(-1, { seed: 0, temperature: 0, topP: 1 });
    this.rows = [seed];
    this.mask = [new Uint8Array(0)];
    this.kv = Array.from({ length: 2 * this.shape.numLayers }, () => this.emptyKv());
    seed.feed = [...this.promptTokens];
    await this.mutex.run(async () => {
      await this.runRows();
      // Copy its cache (on the GPU where it lives there) and logits to one row per sampler.
      if (this.gpuKv) return this.copyGpuRows(samplers.map(() => 0));
      const perRow = this.shape.numKvHeads * this.time * this.shape.headDim;
      this.kv = this.kv.map((layer) => {
        const out = BatchDecoder.like(layer, perRow * samplers.length);
        for (let r = 0; r < samplers.length; r += 1) out.set(layer.subarray(0, perRow), r * perRow);
        return out;
      });
    });
    this.rows = samplers.map((sampler, i) => {
      const row = this.newRow(i, sampler);
      row.logits = seed.logits;
      row.value = seed.value;
      row.position = seed.position;
      return row;
    });
    this.mask = samplers.map(() => this.mask[0]!.slice());
  }

  private newRow(id: number, sampler: SamplerSpec): Row {
    const detok = new StreamDetokenizer((ids) => this.tokenizer.decode(ids), this.promptTokens);
    return { id, sampler, random: seededRandom(sampler.seed), tokens: [], detok, logits: undefined, value: null, values: [], position: 0, feed: [], paused: false };
  }

  private row(id: number): Row | undefined {
    return this.rows.find((r) => r.id === id);
  }

  async step(): Promise<StepOutput> {
    return this.mutex.run(async () => {
      const deltas = new Map<number, string>();
      const ended = new Set<number>();
      for (const row of this.rows) {
        if (row.paused || row.feed.length > 0 || !row.logits) continue;
        const token = sampleToken(row.logits, row.sampler, row.random);
        row.tokens.push(token);
        row.feed.push(token);
        if (this.shape.eosTokenIds.includes(token)) ended.add(row.id);
        // The token's text in the context of the row's last tokens (a partial UTF-8 character is held back).
        let piece = row.detok.push([token]);
        if (ended.has(row.id)) piece += row.detok.flush();
        deltas.set(row.id, piece);
      }
      if (this.rows.some((r) => r.feed.length > 0)) await this.runRows();
      return { deltas, ended };
    });
  }

  pause(sequence: number): void {
    const row = this.row(sequence);
    if (row) row.paused = true;
  }

  async append(sequence: number, text: string): Promise<void> {
    await this.appendTokens(sequence, this.tokenizer.encodeContinuation?.(text) ?? this.tokenizer.encode(text));
  }

  /** Append token ids (e.g. an end-of-text token to read the final value) and resume. */
  async appendTokens(sequence: number, ids: number[]): Promise<void> {
    await this.mutex.run(async () => {
      const row = this.row(sequence);
      if (!row || this.stopped.has(sequence)) return;
      row.tokens.push(...ids);
      // The caller has this text already; the tokens are context for what the row writes next.
      row.detok.skip(ids);
      row.feed.push(...ids);
      if (row.feed.length === 0) {
        row.paused = false;
        return;
      }
      row.paused = false;
      // Only this row's tokens are fed now; the others keep their pending token for the next step.
      await this.runRows(new Set([row.id]));
    });
  }

  async value(sequence: number): Promise<number | null> {
    if (!this.shape.hasValues) return null;
    return (this.row(sequence) ?? this.stopped.get(sequence))?.value ?? null;
  }

  /**
   * The value head's output after each token of the sequence (aligned with `tokensOf`):
   * per-step scores for packages whose value head is trained per step. Empty without a value head.
   */
  valuesOf(sequence: number): number[] {
    if (!this.shape.hasValues) return [];
    return [...((this.row(sequence) ?? this.stopped.get(sequence))?.values ?? [])];
  }

  stop(sequence: number): void {
    const row = this.row(sequence);
    if (!row || this.stopped.has(sequence)) return;
    // The row stops now, but leaves the batch only between model calls: a call may be in
    // flight (e.g. another row's code output being prefilled) with this row in its tensors.
    row.paused = true;
    this.stopped.set(sequence, row);
    void this.mutex.run(async () => {
      const index = this.rows.indexOf(row);
      if (index < 0) return;
      const before = this.rows.length;
      this.rows.splice(index, 1);
      await this.dropRow(index, before);
    });
  }

  /** Token ids of a sequence after the prompt (for tests and traces). */
  tokensOf(sequence: number): number[] {
    return [...((this.row(sequence) ?? this.stopped.get(sequence))?.tokens ?? [])];
  }

  async dispose(): Promise<void> {
    await this.mutex.run(async () => {
      this.rows = [];
      this.kv = [];
      this.releaseGpuKv();
      this.mask = [];
    });
  }

  private releaseGpuKv(): void {
    for (const t of this.gpuKv ?? []) t.dispose?.();
    this.gpuKv = undefined;
  }

  /**
   * The GPU cache rebuilt with rows `from` (indices into the current rows), by a Gather run on ONNX
   * Runtime's own queue, so it follows the model run that wrote the cache: no byte of it comes to JavaScript.
   */
  private async copyGpuRows(from: number[]): Promise<void> {
    if (from.length === 0) {
      this.releaseGpuKv();
      this.kv = [];
      return;
    }
    const next = await gatherRows(this.ort, this.gpuKv!, from, this.io.kvType);
    this.transfer.upload += 8 * from.length;
    this.releaseGpuKv();
    this.gpuKv = next;
  }

  private async dropRow(index: number, before: number): Promise<void> {
    if (this.gpuKv) {
      this.mask.splice(index, 1);
      return this.copyGpuRows(Array.from({ length: before }, (_, r) => r).filter((r) => r !== index));
    }
    const perRow = this.shape.numKvHeads * this.time * this.shape.headDim;
    this.kv = this.kv.map((layer) => {
      const out = BatchDecoder.like(layer, layer.length - perRow);
      out.set(layer.subarray(0, index * perRow), 0);
      out.set(layer.subarray((index + 1) * perRow), index * perRow);
      return out;
    });
    this.mask.splice(index, 1);
  }

  /**
   * One model call over all rows: each row in `only` (default: all) feeds its queued
   * tokens, left-padded to the longest; other rows feed padding.
   */
  private async runRows(only?: Set<number>): Promise<void> {
    const rows = this.rows;
    const R = rows.length;
    if (R === 0) return;
    const feeds = rows.map((r) => (only && !only.has(r.id) ? [] : r.feed));
    const s = Math.max(1, ...feeds.map((f) => f.length));
    const { numLayers, numKvHeads, headDim, padTokenId } = this.shape;
    const ids = new BigInt64Array(R * s).fill(BigInt(padTokenId));
    const pos = new BigInt64Array(R * s);
    const total = this.time + s;
    const mask = new BigInt64Array(R * total);
    const newMask: Uint8Array[] = [];
    for (let r = 0; r < R; r += 1) {
      const f = feeds[r]!;
      const row = rows[r]!;
      const m = new Uint8Array(total);
      m.set(this.mask[r]!, 0);
      for (let j = 0; j < f.length; j += 1) {
        const col = s - f.length + j;
        ids[r * s + col] = BigInt(f[j]!);
        pos[r * s + col] = BigInt(row.position + j);
        m[this.time + col] = 1;
      }
      for (let j = 0; j < total; j += 1) mask[r * total + j] = BigInt(m[j]!);
      newMask.push(m);
    }
    const inputs: Record<string, TensorLike> = {
      input_ids: new this.ort.Tensor('int64', ids, [R, s]),
      attention_mask: new this.ort.Tensor('int64', mask, [R, total]),
    };
    if (this.io.positionIds) inputs.position_ids = new this.ort.Tensor('int64', pos, [R, s]);
    // Rows are left-padded, so every row's next-token logits are at the last position.
    if (this.io.logitsToKeep) inputs[this.io.logitsToKeep] = new this.ort.Tensor('int64', BigInt64Array.of(1n), []);
    const small = Object.values(inputs);
    const gpu = this.gpuKv;
    for (let l = 0; l < numLayers; l += 1) {
      for (const [k, kind] of [[0, 'key'], [1, 'value']] as const) {
        // The GPU cache is fed as it is; otherwise the arrays go up (and are counted).
        const past = gpu ? gpu[2 * l + k]! : new this.ort.Tensor(this.io.kvType, this.kv[2 * l + k]!, [R, numKvHeads, this.time, headDim]);
        if (!gpu) this.transfer.kvUpload += byteLength(past);
        inputs[`past_key_values.${l}.${kind}`] = past;
      }
    }
    for (const t of small) this.transfer.upload += byteLength(t);
    const out = await this.session.run(inputs);
    this.stats.runs += 1;
    this.stats.fedTokens += feeds.reduce((a, f) => a + f.length, 0);
    const values = out.values?.data as Float32Array | undefined;
    // Rows are left-padded: each fed row's next-token logits are at its last position, and only those are read.
    const fed = rows.flatMap((_, r) => (feeds[r]!.length > 0 ? [r] : []));
    const last = await lastLogits(this.ort, out.logits!, fed, this.io.logitsType, this.shape.vocabSize);
    this.transfer.upload += last.uploaded;
    this.transfer.download += last.downloaded + (out.values ? byteLength(out.values) : 0);
    for (let r = 0; r < R; r += 1) {
      const row = rows[r]!;
      const f = feeds[r]!;
      if (f.length === 0) continue;
      row.logits = last.of(fed.indexOf(r));
      if (values) {
        row.value = values[r * s + (s - 1)]!;
        for (let j = s - f.length; j < s; j += 1) row.values.push(values[r * s + j]!);
      }
      row.position += f.length;
      row.feed = row.feed.slice(f.length);
    }
    const presents = Array.from({ length: numLayers }, (_, l) => [out[`present.${l}.key`]!, out[`present.${l}.value`]!]).flat();
    // The previous past (inputs of this call) is spent either way.
    for (const t of small) t.dispose?.();
    if (presents[0]!.location === 'gpu-buffer') {
      this.releaseGpuKv();
      this.gpuKv = presents;
    } else {
      for (const t of gpu ? [] : Object.entries(inputs).filter(([n]) => n.startsWith('past_key_values.')).map(([, t]) => t)) t.dispose?.();
      presents.forEach((t, i) => {
        this.kv[i] = t.data as KvArray;
        this.transfer.kvDownload += byteLength(t);
      });
    }
    this.mask = newMask;
    this.time = total;
  }
}

/**
 * Greedy decoding by full recomputation (no cache), one sequence: the reference the
 * batched loop must match token for token.
 */
export async function greedyRecompute(
  ort: OrtLike,
  session: SessionLike,
  shape: DecoderShape,
  promptTokens: number[],
  steps: number,
): Promise<number[]> {
  const io = graphIO(session, shape);
  const tokens = [...promptTokens];
  const out: number[] = [];
  for (let i = 0; i < steps; i += 1) {
    const n = tokens.length;
    const inputs: Record<string, TensorLike> = {
      input_ids: new ort.Tensor('int64', BigInt64Array.from(tokens.map(BigInt)), [1, n]),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]),
    };
    if (io.positionIds) inputs.position_ids = new ort.Tensor('int64', BigInt64Array.from(tokens.map((_, j) => BigInt(j))), [1, n]);
    if (io.logitsToKeep) inputs[io.logitsToKeep] = new ort.Tensor('int64', BigInt64Array.of(1n), []);
    for (let l = 0; l < shape.numLayers; l += 1) {
      for (const k of ['key', 'value']) {
        inputs[`past_key_values.${l}.${k}`] = new ort.Tensor(io.kvType, io.kvType === 'float16' ? new Uint16Array(0) : new Float32Array(0), [1, shape.numKvHeads, 0, shape.headDim]);
      }
    }
    const result = await serialOf(session).run(() => session.run(inputs));
    const last = (await lastLogits(ort, result.logits!, [0], io.logitsType, shape.vocabSize)).of(0);
    for (const [name, t] of Object.entries(result)) if (name !== 'logits' && t.location === 'gpu-buffer') t.dispose?.();
    let best = 0;
    for (let v = 1; v < last.length; v += 1) if (last[v]! > last[best]!) best = v;
    out.push(best);
    tokens.push(best);
    if (shape.eosTokenIds.includes(best)) break;
  }
  return out;
}
