/**
 * The decoder driven by the graph (onnxruntime-node, CPU): the converted tiny Llama (LoRA merged,
 * value head) in the graph shapes exports have (tests/fixtures/make_converted.py): the package
 * format's graph; one without a position_ids input that takes num_logits_to_keep; one with a
 * float16 cache and float16 logits. Each is read from the session's metadata, fed only what it
 * declares, and decodes torch's greedy tokens and values (torch rounding keys, values and logits
 * to float16 for the float16 graph); a paused row resumed after appended text (a left-padded
 * window, masked gaps) equals the same text decoded straight through. A graph with an input the
 * decoder cannot feed is refused naming the input and its dtype.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { BatchDecoder, graphIO, greedyRecompute, UnsupportedGraphError, type DecoderShape, type OrtLike, type SessionLike, type TokenizerLike } from '../../workers/model/decoder.ts';
import { parseManifest, type Manifest } from '../../workers/model/manifest.ts';
import { tokenizerFromFiles } from '../../workers/model/tokenizer.ts';
import { ensureConvertedFixtures, CONVERTED } from '../support/converted-fixtures.ts';
import { checkOperators, graphOperators } from '../../workers/model/graph-ops.ts';
import { chooseDevice, needsF16 } from '../../workers/model/load.ts';
import type { Capabilities } from '../../workers/contracts.ts';

const O = ort as unknown as OrtLike;
interface Reference {
  prompt: string;
  promptTokens: number[];
  greedy: Record<string, number[]>;
  values: Record<string, number[]>;
}
let refs: Record<string, Reference>;

beforeAll(() => {
  const missing = ensureConvertedFixtures();
  if (missing) throw new Error(missing);
  refs = JSON.parse(readFileSync(join(CONVERTED, 'references.json'), 'utf8'));
});

async function open(id: string) {
  const dir = resolve(CONVERTED, id);
  const manifest: Manifest = parseManifest(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));
  const session = (await ort.InferenceSession.create(join(dir, 'onnx/model.onnx'))) as unknown as SessionLike;
  const tokenizer: TokenizerLike = tokenizerFromFiles(JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')), JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8')));
  const a = manifest.architecture;
  const shape: DecoderShape = { numLayers: a.numLayers, numKvHeads: a.numKvHeads, headDim: a.headDim, vocabSize: a.vocabSize, eosTokenIds: manifest.tokens.eos, padTokenId: manifest.tokens.pad, hasValues: manifest.valueHead.present };
  return { manifest, session, tokenizer, shape, ref: refs[id]! };
}

const SHAPES = [
  { id: 'converted-llama-nopos', io: { positionIds: false, logitsToKeep: 'num_logits_to_keep', kvType: 'float32', logitsType: 'float32', values: true }, tolerance: 1e-4 },
  { id: 'converted-llama-kv16', io: { positionIds: true, logitsToKeep: undefined, kvType: 'float16', logitsType: 'float16', values: true }, tolerance: 1e-3 },
] as const;

describe.each(SHAPES)('$id', ({ id, io, tolerance }) => {
  it('reads the inputs and dtypes the graph declares from the session', async () => {
    const { session, shape } = await open(id);
    expect(graphIO(session, shape)).toEqual(io);
    // The package format's graph, for contrast: position_ids fed, float32 everywhere.
    const base = await open('converted-llama');
    expect(graphIO(base.session, base.shape)).toEqual({ positionIds: true, logitsToKeep: undefined, kvType: 'float32', logitsType: 'float32', values: true });
  });

  it("decodes a batch of greedy rows with torch's tokens and values", async () => {
    const { session, tokenizer, shape, ref } = await open(id);
    const d = new BatchDecoder(O, session, tokenizer, shape, 'cpu');
    await d.start(ref.prompt, [0, 1, 2].map((seed) => ({ seed, temperature: 0, topP: 1 })));
    const want = ref.greedy.fp32!;
    for (let i = 0; i < want.length; i += 1) await d.step();
    for (let r = 0; r < 3; r += 1) expect(d.tokensOf(r)).toEqual(want);
    // The value after each generated token (each step feeds the token it sampled).
    const values = d.valuesOf(0);
    const torch = ref.values.fp32!.slice(ref.promptTokens.length, ref.promptTokens.length + values.length);
    expect(values.length).toBe(want.length);
    for (let i = 0; i < values.length; i += 1) expect(Math.abs(values[i]! - torch[i]!)).toBeLessThan(tolerance);
    expect(await greedyRecompute(O, session, shape, ref.promptTokens, want.length)).toEqual(want);
  }, 60_000);

  it('keeps a paused row correct through a left-padded append while another row decodes', async () => {
    const { session, tokenizer, shape, ref } = await open(id);
    const d = new BatchDecoder(O, session, tokenizer, shape, 'cpu');
    await d.start(ref.prompt, [{ seed: 1, temperature: 0, topP: 1 }, { seed: 2, temperature: 0.9, topP: 0.95 }]);
    for (let i = 0; i < 4; i += 1) await d.step();
    d.pause(0);
    for (let i = 0; i < 3; i += 1) await d.step();
    const appended = '\nOutput: 56\n\n';
    await d.append(0, appended);
    for (let i = 0; i < 6; i += 1) await d.step();
    const prefix = [...ref.promptTokens, ...ref.greedy.fp32!.slice(0, 4), ...tokenizer.encode(appended)];
    const straight = await greedyRecompute(O, session, shape, prefix, 6);
    expect(d.tokensOf(0)).toEqual([...ref.greedy.fp32!.slice(0, 4), ...tokenizer.encode(appended), ...straight]);
  }, 60_000);
});

describe('graphs the decoder cannot feed', () => {
  it('refuses an input it does not know, or a known one in another dtype, naming both', async () => {
    const { session, shape } = await open('converted-llama-nopos');
    const like = (inputs: Array<[string, string]>): SessionLike => ({
      run: session.run.bind(session),
      inputNames: inputs.map(([n]) => n),
      outputNames: session.outputNames!,
      inputMetadata: inputs.map(([name, type]) => ({ name, isTensor: true, type, shape: [] })),
      outputMetadata: session.outputMetadata!,
    });
    const declared = session.inputMetadata!.map((m) => [m.name, m.type!] as [string, string]);
    const refused = (inputs: Array<[string, string]>) => {
      try {
        graphIO(like(inputs), shape);
        return undefined;
      } catch (error) {
        expect(error).toBeInstanceOf(UnsupportedGraphError);
        return (error as Error).message;
      }
    };
    expect(refused(declared)).toBeUndefined();
    expect(refused([...declared, ['token_type_ids', 'int64']])).toContain('has an input "token_type_ids" (int64)');
    expect(refused(declared.map(([n, t]) => [n, n === 'input_ids' ? 'int32' : t]))).toContain('takes "input_ids" as int32, not int64');
    expect(refused(declared.map(([n, t]) => [n, n.startsWith('past_key_values.') ? 'bfloat16' : t]))).toContain('as bfloat16, neither float32 nor float16');
    expect(refused(declared.filter(([n]) => n !== 'past_key_values.0.value'))).toContain('lacks the input "past_key_values.0.value"');
  });
});

describe('graphs the decoder would run wrongly, and float16 without shader-f16', () => {
  it('reads the operators from the model file without decoding the weights, and refuses GroupQueryAttention by name', () => {
    const q4 = graphOperators(new Uint8Array(readFileSync(join(CONVERTED, 'converted-llama/onnx/model_q4.onnx'))));
    expect(q4.has('com.microsoft:MatMulNBits')).toBe(true);
    expect(q4.has(':Softmax')).toBe(true);
    const fp32 = new Uint8Array(readFileSync(join(CONVERTED, 'converted-qwen2/onnx/model.onnx')));
    expect(graphOperators(fp32).has('com.microsoft:MatMulNBits')).toBe(false);
    expect(() => checkOperators(fp32)).not.toThrow();
    const gqa = new Uint8Array(readFileSync(join(CONVERTED, 'graph-gqa.onnx')));
    expect(graphOperators(gqa)).toEqual(new Set(['com.microsoft:GroupQueryAttention']));
    expect(() => checkOperators(gqa)).toThrow(UnsupportedGraphError);
    expect(() => checkOperators(gqa)).toThrow(/uses GroupQueryAttention/);
    expect(() => graphOperators(fp32.subarray(0, fp32.length - 3))).toThrow(/not a complete ONNX graph|truncated/);
  });

  it('never chooses a float16 graph (fp16, q4f16, or a float16 cache) on an adapter without shader-f16', () => {
    const m = parseManifest(JSON.parse(readFileSync(join(CONVERTED, 'converted-llama-kv16/manifest.json'), 'utf8')));
    expect(needsF16(m.variants[0]!)).toBe(true);
    const gpu = (shaderF16: boolean): Capabilities['webgpu'] => ({ available: true, isFallbackAdapter: false, shaderF16, vendor: 'test', description: 'test GPU', maxBufferSize: 2 ** 31, maxStorageBufferBindingSize: 2 ** 31 }) as Capabilities['webgpu'];
    expect(chooseDevice(m, gpu(true), 16).device).toBe('webgpu');
    const without = chooseDevice(m, gpu(false), 16);
    expect(without.device).toBe('wasm');
    expect(without.reason).toContain('16-bit float shaders');
    expect(() => chooseDevice(m, gpu(false), 16, 'webgpu')).toThrow(/16-bit float shaders/);
    // With a variant without float16 beside it, that one runs on the GPU.
    const both = { ...m, variants: [...m.variants, { ...m.variants[0]!, dtype: 'q4' as const, kvCacheDtype: 'float32' as const }], defaultVariant: { wasm: 'fp32' as const, webgpu: 'fp32' as const } };
    expect(chooseDevice(both, gpu(false), 16)).toMatchObject({ device: 'webgpu', dtype: 'q4' });
  });
});
