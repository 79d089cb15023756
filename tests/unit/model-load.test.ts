/**
 * What the loader asks for: the graph, every external-data shard in order and the tokenizer files,
 * with the names ONNX Runtime is given for the shards (relative to the graph's folder).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { externalDataName, filesFor } from '../../workers/model/load.ts';
import { parseManifest, variantFor } from '../../workers/model/manifest.ts';

const base = JSON.parse(readFileSync('tests/fixtures/model/tiny-random/manifest.json', 'utf8'));
const file = (path: string, bytes: number) => ({ path, bytes, sha256: '0'.repeat(64) });
const manifest = parseManifest({
  ...base,
  variants: [...base.variants, { dtype: 'q4', quantization: 'MatMulNBits', graph: 'onnx/model_q4.onnx', externalData: ['onnx/model_q4.onnx_data', 'onnx/model_q4.onnx_data_1'] }],
  files: [...base.files, file('onnx/model_q4.onnx', 10), file('onnx/model_q4.onnx_data', 300), file('onnx/model_q4.onnx_data_1', 200)],
});

describe('loader file list', () => {
  it('lists graph, shards in order, then the tokenizer files, with their sizes', () => {
    const files = filesFor(manifest, variantFor(manifest, 'q4'));
    expect(files.map((f) => f.path)).toEqual(['onnx/model_q4.onnx', 'onnx/model_q4.onnx_data', 'onnx/model_q4.onnx_data_1', 'tokenizer.json', 'tokenizer_config.json']);
    expect(files.slice(0, 3).map((f) => f.bytes)).toEqual([10, 300, 200]);
    expect(filesFor(manifest, variantFor(manifest, 'q8')).map((f) => f.path)).toEqual(['onnx/model_quantized.onnx', 'tokenizer.json', 'tokenizer_config.json']);
  });

  it('names shards as the graph refers to them', () => {
    expect(externalDataName('onnx/model_q4.onnx', 'onnx/model_q4.onnx_data_1')).toBe('model_q4.onnx_data_1');
    expect(externalDataName('model.onnx', 'model.onnx_data')).toBe('model.onnx_data');
  });
});

describe('memory plan corrected from the loaded session', () => {
  it("plans the cache in the dtype the session's past_key_values inputs really have", async () => {
    const ort = await import('onnxruntime-node');
    const { graphIO } = await import('../../workers/model/decoder.ts');
    const { planFor } = await import('../../workers/model/load.ts');
    const dir = 'tests/fixtures/converted/converted-llama-kv16';
    const real = parseManifest(JSON.parse(readFileSync(`${dir}/manifest.json`, 'utf8')));
    const session = await ort.InferenceSession.create(`${dir}/onnx/model.onnx`);
    const a = real.architecture;
    const io = graphIO(session as never, { numLayers: a.numLayers });
    expect(io.kvType).toBe('float16');
    // The same package with a manifest that says nothing of its cache: an fp32 variant is assumed float32 ...
    const silent = parseManifest({ ...real, variants: real.variants.map(({ kvCacheDtype: _, ...v }) => v) });
    const gpu = { available: true, maxBufferSize: 1024 ** 3, maxStorageBufferBindingSize: 1024 ** 3 };
    const assumed = planFor(silent, 'webgpu', 'fp32', gpu, 8);
    // ... and the session's input types correct it to half the bytes.
    const corrected = planFor(silent, 'webgpu', 'fp32', gpu, 8, io.kvType);
    expect(corrected.kvCacheBytes * 2).toBe(assumed.kvCacheBytes);
    expect(corrected.kvCacheBytes).toBe(planFor(real, 'webgpu', 'fp32', gpu, 8).kvCacheBytes);
    await session.release();
  });
});
