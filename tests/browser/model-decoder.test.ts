/**
 * The batched decode loop in real Chromium with ONNX Runtime Web: on WebAssembly and on
 * WebGPU (SwiftShader's software adapter here), the demo package's greedy continuation
 * must equal the one recorded by torch, token for token, and batching must not change it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { BatchDecoder, type OrtLike, type SessionLike, type TokenizerLike, type DecoderShape } from '../../workers/model/decoder.ts';
import { parseManifest, verifyFile, type Manifest } from '../../workers/model/manifest.ts';
import { loadTokenizer } from '../../workers/model/tokenizer.ts';
import { configureOrt } from '../../workers/model/ort-web.ts';

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
});
