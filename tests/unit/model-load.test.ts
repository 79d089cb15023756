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
