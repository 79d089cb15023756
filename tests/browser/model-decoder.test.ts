/**
 * The batched decode loop in real Chromium with ONNX Runtime Web: on WebAssembly and on
 * WebGPU (SwiftShader's software adapter here), the demo package's greedy continuation
 * must equal the one recorded by torch, token for token, and batching must not change it. On
 * WebGPU the cache stays in GPU buffers (present.* returned as 'gpu-buffer' tensors and fed back):
 * no byte of it crosses to JavaScript during decode, and the row operations (prompt copied to every
 * row, a row paused and resumed with appended text, a row dropped) give the tokens the JavaScript-side
 * cache gives.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { BatchDecoder, type OrtLike, type SessionLike, type TokenizerLike, type DecoderShape } from '../../workers/model/decoder.ts';
import { parseManifest, verifyFile, type Manifest } from '../../workers/model/manifest.ts';
import { loadTokenizer } from '../../workers/model/tokenizer.ts';
import { configureOrt } from '../../workers/model/ort-web.ts';
import { presentNames } from '../../workers/model/load.ts';

const BASE = '/models/demo-mario-tiny/';
let manifest: Manifest;
let tokenizer: TokenizerLike;
let shape: DecoderShape;
const ort = configureOrt();

beforeAll(async () => {
  manifest = parseManifest(await (await fetch(`${BASE}manifest.json`)).json());
  tokenizer = await loadTokenizer('/models/', 'demo-mario-tiny');
  const a = manifest.architecture;
  shape = { numLayers: a.numLayers, numKvHeads: a.numKvHeads, headDim: a.headDim, vocabSize: a.vocabSize, eosTokenIds: manifest.tokens.eos, padTokenId: manifest.tokens.pad, hasValues: true };
}, 60_000);

async function greedyOn(device: 'wasm' | 'webgpu', rows: number, steps: number): Promise<number[][]> {
  const bytes = new Uint8Array(await (await fetch(`${BASE}onnx/model.onnx`)).arrayBuffer());
  await verifyFile(manifest, 'onnx/model.onnx', bytes);
  const session = await ort.InferenceSession.create(bytes, { executionProviders: [device] });
  try {
    const d = new BatchDecoder(ort as unknown as OrtLike, session as unknown as SessionLike, tokenizer, shape, device);
    await d.start(manifest.reference!.prompt, Array.from({ length: rows }, (_, i) => ({ seed: i, temperature: 0, topP: 1 })));
    for (let i = 0; i < steps; i += 1) await d.step();
    return Array.from({ length: rows }, (_, i) => d.tokensOf(i));
  } finally {
    await session.release();
  }
}

describe('decode loop in the browser', () => {
  it('WebAssembly: batched greedy equals the recorded reference', async () => {
    const ref = manifest.reference!.greedyTokens;
    const tokens = await greedyOn('wasm', 3, ref.length);
    for (const t of tokens) expect(t.slice(0, ref.length)).toEqual(ref);
  }, 60_000);

  it('WebGPU: greedy equals the recorded reference', async () => {
    const ref = manifest.reference!.greedyTokens.slice(0, 16);
    const tokens = await greedyOn('webgpu', 2, ref.length);
    for (const t of tokens) expect(t.slice(0, ref.length)).toEqual(ref);
  }, 120_000);

  it('WebGPU: the cache stays on the GPU (no cache byte crosses per step), and row copies, appends and drops decode as with the cache in JavaScript', async () => {
    const bytes = new Uint8Array(await (await fetch(`${BASE}onnx/model.onnx`)).arrayBuffer());
    const ref = manifest.reference!;
    const run = async (kvOnGpu: boolean) => {
      const location = kvOnGpu ? { preferredOutputLocation: Object.fromEntries(presentNames(shape.numLayers).map((n) => [n, 'gpu-buffer' as const])) } : {};
      const session = await ort.InferenceSession.create(bytes, { executionProviders: ['webgpu'], ...location });
      try {
        const d = new BatchDecoder(ort as unknown as OrtLike, session as unknown as SessionLike, tokenizer, shape, 'webgpu');
        await d.start(ref.prompt, [{ seed: 0, temperature: 0, topP: 1 }, { seed: 1, temperature: 0.8, topP: 0.95 }, { seed: 2, temperature: 0, topP: 1 }]);
        const before = { ...d.transfer };
        let steps = 0;
        const step = async (n: number) => {
          for (let i = 0; i < n; i += 1, steps += 1) await d.step();
        };
        await step(3);
        d.pause(1);
        await step(2);
        await d.append(1, '\nOutput: 56\n\n');
        d.stop(2);
        await step(3);
        const t = d.transfer;
        return {
          tokens: [0, 1, 2].map((i) => d.tokensOf(i)),
          kvBytesPerStep: (t.kvUpload - before.kvUpload + t.kvDownload - before.kvDownload) / steps,
          otherBytesPerStep: (t.upload - before.upload + t.download - before.download) / steps,
        };
      } finally {
        await session.release();
      }
    };
    const js = await run(false);
    const gpu = await run(true);
    expect(gpu.tokens).toEqual(js.tokens);
    expect(gpu.tokens[0]).toEqual(ref.greedyTokens.slice(0, 8));
    expect(js.kvBytesPerStep).toBeGreaterThan(0);
    expect(gpu.kvBytesPerStep).toBe(0);
    // Only the fed ids, masks and positions go up, and logits and values come down; on the GPU also the
    // indices of the rows kept when row 2 stops (2 int64s, over the 8 steps).
    expect(gpu.otherBytesPerStep).toBe(js.otherBytesPerStep + (2 * 8) / 8);
    console.log(`WebGPU (SwiftShader), demo model, 3 rows: cache bytes per step ${js.kvBytesPerStep} with the cache in JavaScript, ${gpu.kvBytesPerStep} on the GPU; other bytes ${gpu.otherBytesPerStep}`);
  }, 180_000);
});
