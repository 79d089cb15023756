/**
 * Outputs the model leaves on the GPU, in real Chromium with ONNX Runtime Web on WebGPU (SwiftShader's
 * software adapter here), on a converted tiny Llama (tests/fixtures/converted, fp32, external data):
 *
 * - with the logits kept on the GPU and only each fed row's last position read back (gpu-ops.ts), the
 *   decoder chooses exactly the tokens the full read-back path chooses (cache and logits returned to
 *   JavaScript every call), through prompt copies, 60-token code outputs appended to each of 4 rows, pauses
 *   and dropped rows; and the logits bytes read back per append fall from every position of every row
 *   to one position of one row;
 * - row copies of the cache, run as a Gather on ONNX Runtime's queue (gpu-ops.ts) after model runs whose
 *   outputs all stay on the GPU, see what those runs wrote: 16 rows, permuted, duplicated and dropped over
 *   12 calls with nothing read back until the end, against the same calls on WebAssembly with the rows
 *   moved in JavaScript. (A copy in a command buffer of our own passes this too, on this ONNX Runtime:
 *   its JSEP build flushes at the end of every run, onnxruntime/wasm/pre-jsep.js; the Gather does not
 *   depend on that.)
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type {} from '../support/converted-models.setup.ts';
import { BatchDecoder, type DecoderShape, type OrtLike, type SessionLike, type TensorLike, type TokenizerLike } from '../../workers/model/decoder.ts';
import { gatherRows } from '../../workers/model/gpu-ops.ts';
import { externalDataName, gpuOutputLocations } from '../../workers/model/load.ts';
import { parseManifest, variantFor, verifyFile, type Manifest } from '../../workers/model/manifest.ts';
import { configureOrt } from '../../workers/model/ort-web.ts';
import { tokenizerFromFiles } from '../../workers/model/tokenizer.ts';

const FOLDER = '/tests/fixtures/converted/converted-llama/';
const ort = configureOrt();
let manifest: Manifest;
let graph: Uint8Array;
let externalData: Array<{ path: string; data: Uint8Array }>;
let tokenizer: TokenizerLike;
let shape: DecoderShape;
let prompt: string;

const bytes = async (path: string) => {
  const b = new Uint8Array(await (await fetch(`${FOLDER}${path}`)).arrayBuffer());
  await verifyFile(manifest, path, b);
  return b;
};

beforeAll(async () => {
  const missing = inject('convertedMissing');
  if (missing) throw new Error(`The converted test packages are missing: ${missing}`);
  manifest = parseManifest(await (await fetch(`${FOLDER}manifest.json`)).json());
  const variant = variantFor(manifest, 'fp32');
  graph = await bytes(variant.graph);
  externalData = await Promise.all(variant.externalData.map(async (p) => ({ path: externalDataName(variant.graph, p), data: await bytes(p) })));
  const [tj, tc] = await Promise.all(['tokenizer.json', 'tokenizer_config.json'].map(async (p) => JSON.parse(new TextDecoder().decode(await bytes(p))) as Record<string, unknown>));
  tokenizer = tokenizerFromFiles(tj!, tc!);
  const a = manifest.architecture;
  shape = { numLayers: a.numLayers, numKvHeads: a.numKvHeads, headDim: a.headDim, vocabSize: a.vocabSize, eosTokenIds: [], padTokenId: manifest.tokens.pad, hasValues: manifest.valueHead.present };
  prompt = (await (await fetch('/tests/fixtures/converted/references.json')).json())['converted-llama'].prompt;
}, 120_000);

const session = (device: 'webgpu' | 'wasm', onGpu: boolean) =>
  ort.InferenceSession.create(graph, { executionProviders: [device], externalData, ...(onGpu ? gpuOutputLocations(shape.numLayers) : {}) });

/** A code output of exactly `n` tokens (the continuation encoding the decoder appends with). */
function outputOf(n: number, row: number): string {
  let text = '```output\n';
  for (let i = 0; (tokenizer.encodeContinuation?.(text) ?? tokenizer.encode(text)).length < n; i += 1) text += `${(row * 7 + i * 13) % 100} `;
  return text;
}

/** Rows of the batch: what is read back per append does not depend on their number, and SwiftShader is slow. */
const ROWS = 4;

describe('model outputs kept on the GPU', () => {
  it('last-position logits only: the same tokens as the full read-back, and one position of one row read back per append', async () => {
    const run = async (onGpu: boolean) => {
      const s = await session('webgpu', onGpu);
      try {
        const d = new BatchDecoder(ort as unknown as OrtLike, s as unknown as SessionLike, tokenizer, shape, 'webgpu');
        await d.start(prompt, Array.from({ length: ROWS }, (_, i) => ({ seed: 11 + i, temperature: 0.9, topP: 0.95 })));
        const afterStart = { ...d.transfer };
        for (let i = 0; i < 6; i += 1) await d.step();
        const beforeSteps = { ...d.transfer };
        for (let i = 0; i < 4; i += 1) await d.step();
        const stepDownload = (d.transfer.download - beforeSteps.download) / 4;
        // Every row pauses for its code, gets 60 tokens of output appended, and resumes.
        for (let r = 0; r < ROWS; r += 1) d.pause(r);
        const beforeAppends = { ...d.transfer };
        for (let r = 0; r < ROWS; r += 1) await d.append(r, outputOf(60, r));
        const appendDownload = (d.transfer.download - beforeAppends.download) / ROWS;
        for (let i = 0; i < 3; i += 1) await d.step();
        d.stop(3);
        d.pause(2);
        await d.step();
        await d.append(2, outputOf(60, 2));
        d.stop(0);
        for (let i = 0; i < 3; i += 1) await d.step();
        return { tokens: Array.from({ length: ROWS }, (_, r) => d.tokensOf(r)), prefillDownload: afterStart.download, stepDownload, appendDownload, transfer: d.transfer };
      } finally {
        await s.release();
      }
    };
    const full = await run(false);
    const gpu = await run(true);
    expect(gpu.tokens.every((t) => t.length > 60)).toBe(true);
    expect(new Set(gpu.tokens.map((t) => t.join())).size).toBe(ROWS);
    expect(gpu.tokens).toEqual(full.tokens);
    const V = shape.vocabSize * 4;
    // Each append is one call over all rows, `n` positions wide (the other rows padded). Full read-back: the logits
    // of every position of every row; kept on the GPU: the appended row's last position. The values [ROWS, n] come back either way.
    const n = Array.from({ length: ROWS }, (_, r) => (tokenizer.encodeContinuation?.(outputOf(60, r)) ?? tokenizer.encode(outputOf(60, r))).length);
    expect(Math.min(...n)).toBeGreaterThanOrEqual(60);
    const values = shape.hasValues ? n.map((k) => ROWS * k * 4) : n.map(() => 0);
    expect(full.appendDownload * ROWS).toBe(n.reduce((a, k, r) => a + ROWS * k * V + values[r]!, 0));
    expect(gpu.appendDownload * ROWS).toBe(n.reduce((a, _k, r) => a + V + values[r]!, 0));
    // A decode step needs every row's logits either way.
    expect(gpu.stepDownload).toBe(full.stepDownload);
    expect(gpu.prefillDownload).toBeLessThan(full.prefillDownload / 10);
    expect(gpu.transfer.kvDownload + gpu.transfer.kvUpload).toBe(0);
    console.log(`logits bytes read back per 60-token append to ${ROWS} rows: ${full.appendDownload} -> ${gpu.appendDownload}; per step ${full.stepDownload} -> ${gpu.stepDownload}`);
  }, 600_000);

  it('row copies on the GPU see what the model runs before them wrote (16 rows, 12 calls, nothing read back in between)', async () => {
    const R = 16;
    const { numLayers, numKvHeads, headDim } = shape;
    const names = Array.from({ length: numLayers }, (_, l) => [`${l}.key`, `${l}.value`]).flat();
    // Per call: the rows to keep (a permutation with duplicates and drops), and one token per kept row.
    const plan: number[][] = [];
    let width = R;
    for (let c = 0; c < 12; c += 1) {
      const keep = Array.from({ length: c % 3 === 2 ? width - 1 : width }, (_, i) => (i * 5 + c * 3) % width);
      if (c % 4 === 1) keep[0] = keep[keep.length - 1]!;
      plan.push(keep);
      width = keep.length;
    }
    const drive = async (device: 'webgpu' | 'wasm') => {
      // Every output stays on the GPU (the value head's too), so nothing is read back and no run ends with a flush.
      const s = await ort.InferenceSession.create(graph, { executionProviders: [device], externalData, ...(device === 'webgpu' ? { preferredOutputLocation: 'gpu-buffer' as const } : {}) });
      try {
        const feeds = (cache: TensorLike[], rows: number, time: number, call: number) => {
          const ids = BigInt64Array.from({ length: rows }, (_, r) => BigInt(3 + ((r * 31 + call * 17) % (shape.vocabSize - 3))));
          const f: Record<string, TensorLike> = {
            input_ids: new ort.Tensor('int64', ids, [rows, 1]),
            attention_mask: new ort.Tensor('int64', new BigInt64Array(rows * (time + 1)).fill(1n), [rows, time + 1]),
          };
          if (s.inputNames.includes('position_ids')) f.position_ids = new ort.Tensor('int64', new BigInt64Array(rows).fill(BigInt(time)), [rows, 1]);
          names.forEach((n, i) => (f[`past_key_values.${n}`] = cache[i]!));
          return f;
        };
        let rows = R;
        let cache: TensorLike[] = names.map(() => new ort.Tensor('float32', new Float32Array(0), [R, numKvHeads, 0, headDim]));
        for (let c = 0; c <= plan.length; c += 1) {
          const out = (await s.run(feeds(cache, rows, c, c) as never)) as unknown as Record<string, TensorLike>;
          out.logits!.dispose?.();
          out.values?.dispose?.();
          for (const t of cache) t.dispose?.();
          const present = names.map((n) => out[`present.${n}`]!);
          if (c === plan.length) {
            const data = await Promise.all(present.map(async (t) => (t.location === 'gpu-buffer' ? ((await t.getData!()) as Float32Array) : (t.data as Float32Array))));
            for (const t of present) t.dispose?.();
            return { data, dims: present[0]!.dims };
          }
          const keep = plan[c]!;
          if (device === 'webgpu') cache = await gatherRows(ort as unknown as OrtLike, present, keep, 'float32');
          else {
            const perRow = numKvHeads * (c + 1) * headDim;
            cache = present.map((t) => {
              const src = t.data as Float32Array;
              const dst = new Float32Array(keep.length * perRow);
              keep.forEach((from, r) => dst.set(src.subarray(from * perRow, (from + 1) * perRow), r * perRow));
              return new ort.Tensor('float32', dst, [keep.length, numKvHeads, c + 1, headDim]);
            });
          }
          if (device === 'webgpu') for (const t of present) t.dispose?.();
          rows = keep.length;
        }
        throw new Error('unreachable');
      } finally {
        await s.release();
      }
    };
    const gpu = await drive('webgpu');
    const cpu = await drive('wasm');
    expect(gpu.dims).toEqual(cpu.dims);
    expect(gpu.dims[0]).toBe(plan.at(-1)!.length);
    let worst = 0;
    gpu.data.forEach((layer, i) => layer.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - cpu.data[i]![j]!)))));
    // Two backends' float rounding; a copy that ran before the kernels writing its rows gives stale or zero rows, off by O(1).
    expect(worst).toBeLessThan(1e-2);
    console.log(`cache after 12 gathered calls, WebGPU vs WebAssembly: max |difference| ${worst.toExponential(2)}`);
  }, 300_000);
});
