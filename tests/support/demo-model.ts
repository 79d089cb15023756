/**
 * The bundled demo model on ONNX Runtime's CPU backend and real Python (Pyodide), in
 * Node: what the Node tests of the solve loop run on.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { loadPyodide } from 'pyodide';
import { BatchDecoder, type OrtLike, type SessionLike } from '../../workers/model/decoder.ts';
import { parseManifest, type Manifest } from '../../workers/model/manifest.ts';
import { loadTokenizer } from '../../workers/model/tokenizer.ts';
import { Interpreter } from '../../workers/python/interpreter.ts';
import type { PythonRunner } from '../../workers/solver/loop.ts';

export const DEMO_ID = 'demo-mario-tiny';

export interface DemoModel {
  manifest: Manifest;
  python: PythonRunner;
  /** A fresh batched decoder over the package's fp32 graph. */
  decoder(): BatchDecoder;
}

export async function loadDemoModel(): Promise<DemoModel> {
  const root = resolve('models/packages');
  const manifest = parseManifest(JSON.parse(readFileSync(join(root, DEMO_ID, 'manifest.json'), 'utf8')));
  const session = (await ort.InferenceSession.create(join(root, DEMO_ID, 'onnx/model.onnx'))) as unknown as SessionLike;
  const tokenizer = await loadTokenizer(`${root}/`, DEMO_ID);
  const interpreter = await Interpreter.create(await loadPyodide(), { runner: readFileSync('workers/python/runner.py', 'utf8') });
  const a = manifest.architecture;
  const shape = { numLayers: a.numLayers, numKvHeads: a.numKvHeads, headDim: a.headDim, vocabSize: a.vocabSize, eosTokenIds: manifest.tokens.eos, padTokenId: manifest.tokens.pad, hasValues: manifest.valueHead.present };
  return {
    manifest,
    python: { run: async (s, code) => interpreter.run(s, code), closeSession: async (s) => interpreter.closeSession(s) },
    decoder: () => new BatchDecoder(ort as unknown as OrtLike, session, tokenizer, shape, 'cpu'),
  };
}
