/**
 * The batched decode loop the solver drives. All sequences share one KV cache laid
 * out [rows, kv_heads, time, head_dim]: the prompt is prefilled once and copied to
 * every row; each step feeds every row its next token in one run; a paused row
 * feeds masked padding; appended text (code output) is prefilled for its row while
 * the other rows feed their next token in the same window (left-padded), so nobody
 * waits. Stopped rows are dropped from the batch. Works with onnxruntime-web and
 * onnxruntime-node alike (the ORT module and session are passed in).
 */
import type { DecodeSession, SamplerSpec, StepOutput } from '../solver/loop.ts';
import { sampleToken, seededRandom } from './sampler.ts';

export interface TensorLike {
  readonly data: ArrayLike<number> | ArrayLike<bigint>;
  readonly dims: readonly number[];
  dispose?(): void;
}

export interface OrtLike {
  Tensor: new (type: 'int64' | 'float32', data: BigInt64Array | Float32Array, dims: readonly number[]) => TensorLike;
}

export interface SessionLike {
  run(feeds: Record<string, TensorLike>): Promise<Record<string, TensorLike>>;
  /** Frees the session's memory (ONNX Runtime's InferenceSession.release). */
  release?(): Promise<void>;
}

export interface TokenizerLike {
  encode(text: string): number[];
  decode(ids: number[]): string;
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
  /** Text decoded so far (after the prompt). */
  text: string;
  /** tokens[decoded..] are not yet in `text` (a UTF-8 character may still be incomplete). */
  decoded: number;
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

/** Runs model calls one at a time (ORT sessions are not re-entrant). */
class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(work: () => Promise<T>): Promise<T> {
    const next = this.tail.then(work, work);
    this.tail = next.catch(() => {});
    return next;
  }
}

export class BatchDecoder implements DecodeSession {
  private rows: Row[] = [];
  private readonly stopped = new Map<number, Row>();
  private kv: Float32Array[] = [];
  private time = 0;
  private mask: Uint8Array[] = [];
  private promptTokens: number[] = [];
  private readonly mutex = new Mutex();
  /** Model calls made and tokens fed, for benchmarks. */
  stats = { runs: 0, fedTokens: 0 };

  constructor(
    private readonly ort: OrtLike,
    private readonly session: SessionLike,
    private readonly tokenizer: TokenizerLike,
    private readonly shape: DecoderShape,
    readonly device: 'webgpu' | 'wasm' | 'cpu',
  ) {}

  async start(prompt: string, samplers: SamplerSpec[]): Promise<void> {
    this.promptTokens = this.tokenizer.encode(prompt);
    this.rows = [];
    this.kv = [];
    this.time = 0;
    this.mask = [];
    // Prefill the shared prompt once, as a batch of one row.
    const seed: Row = this.newRow(-1, { seed: 0, temperature: 0, topP: 1 });
    this.rows = [seed];
    this.mask = [new Uint8Array(0)];
    this.kv = Array.from({ length: 2 * this.shape.numLayers }, () => new Float32Array(0));
    seed.feed = [...this.promptTokens];
    await this.mutex.run(() => this.runRows());
    // Copy its cache and logits to one row per sampler.
    const perRow = this.shape.numKvHeads * this.time * this.shape.headDim;
    this.kv = this.kv.map((layer) => {
      const out = new Float32Array(perRow * samplers.length);
      for (let r = 0; r < samplers.length; r += 1) out.set(layer.subarray(0, perRow), r * perRow);
      return out;
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
    return { id, sampler, random: seededRandom(sampler.seed), tokens: [], text: '', decoded: 0, logits: undefined, value: null, values: [], position: 0, feed: [], paused: false };
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
        // Decode only what is new; hold back a trailing partial UTF-8 character until its last byte arrives.
        const piece = this.tokenizer.decode(row.tokens.slice(row.decoded));
        if (piece.endsWith('\uFFFD') && row.tokens.length - row.decoded < 4) {
          deltas.set(row.id, '');
        } else {
          row.text += piece;
          row.decoded = row.tokens.length;
          deltas.set(row.id, piece);
        }
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
    await this.appendTokens(sequence, this.tokenizer.encode(text));
  }

  /** Append token ids (e.g. an end-of-text token to read the final value) and resume. */
  async appendTokens(sequence: number, ids: number[]): Promise<void> {
    await this.mutex.run(async () => {
      const row = this.row(sequence);
      if (!row || this.stopped.has(sequence)) return;
      row.tokens.push(...ids);
      if (row.tokens.length > row.decoded) {
        row.text += this.tokenizer.decode(row.tokens.slice(row.decoded));
        row.decoded = row.tokens.length;
      }
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
      this.rows.splice(index, 1);
      this.dropRow(index);
    });
  }

  /** Token ids of a sequence after the prompt (for tests and traces). */
  tokensOf(sequence: number): number[] {
    return [...((this.row(sequence) ?? this.stopped.get(sequence))?.tokens ?? [])];
  }

  async dispose(): Promise<void> {
    this.rows = [];
    this.kv = [];
    this.mask = [];
  }

  private dropRow(index: number): void {
    const perRow = this.shape.numKvHeads * this.time * this.shape.headDim;
    this.kv = this.kv.map((layer) => {
      const out = new Float32Array(layer.length - perRow);
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
      position_ids: new this.ort.Tensor('int64', pos, [R, s]),
    };
    for (let l = 0; l < numLayers; l += 1) {
      inputs[`past_key_values.${l}.key`] = new this.ort.Tensor('float32', this.kv[2 * l]!, [R, numKvHeads, this.time, headDim]);
      inputs[`past_key_values.${l}.value`] = new this.ort.Tensor('float32', this.kv[2 * l + 1]!, [R, numKvHeads, this.time, headDim]);
    }
    const out = await this.session.run(inputs);
    this.stats.runs += 1;
    this.stats.fedTokens += feeds.reduce((a, f) => a + f.length, 0);
    const logits = out.logits!.data as Float32Array;
    const values = out.values?.data as Float32Array | undefined;
    const vocab = this.shape.vocabSize;
    for (let r = 0; r < R; r += 1) {
      const row = rows[r]!;
      const f = feeds[r]!;
      if (f.length === 0) continue;
      const last = r * s + (s - 1);
      row.logits = logits.slice(last * vocab, (last + 1) * vocab);
      if (values) {
        row.value = values[last]!;
        for (let j = s - f.length; j < s; j += 1) row.values.push(values[r * s + j]!);
      }
      row.position += f.length;
      row.feed = row.feed.slice(f.length);
    }
    for (let l = 0; l < numLayers; l += 1) {
      this.kv[2 * l] = out[`present.${l}.key`]!.data as Float32Array;
      this.kv[2 * l + 1] = out[`present.${l}.value`]!.data as Float32Array;
    }
    for (const t of Object.values(inputs)) t.dispose?.();
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
  const tokens = [...promptTokens];
  const out: number[] = [];
  for (let i = 0; i < steps; i += 1) {
    const n = tokens.length;
    const inputs: Record<string, TensorLike> = {
      input_ids: new ort.Tensor('int64', BigInt64Array.from(tokens.map(BigInt)), [1, n]),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]),
      position_ids: new ort.Tensor('int64', BigInt64Array.from(tokens.map((_, j) => BigInt(j))), [1, n]),
    };
    for (let l = 0; l < shape.numLayers; l += 1) {
      for (const k of ['key', 'value']) {
        inputs[`past_key_values.${l}.${k}`] = new ort.Tensor('float32', new Float32Array(0), [1, shape.numKvHeads, 0, shape.headDim]);
      }
    }
    const result = await session.run(inputs);
    const logits = result.logits!.data as Float32Array;
    const last = logits.subarray((n - 1) * shape.vocabSize, n * shape.vocabSize);
    let best = 0;
    for (let v = 1; v < last.length; v += 1) if (last[v]! > last[best]!) best = v;
    out.push(best);
    tokens.push(best);
    if (shape.eosTokenIds.includes(best)) break;
  }
  return out;
}
