/**
 * The Node engine: the solver's own loop (runSolveLoop + BatchDecoder + the Python
 * interpreter) on ONNX Runtime's native CPU backend and Pyodide in Node. The fast path
 * (labelling training samples, sweeps over checkpoints); it reads packages straight from
 * a folder, so it can evaluate packages the app does not serve.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { loadPyodide } from 'pyodide';
import { BatchDecoder, type OrtLike, type SessionLike } from '../workers/model/decoder.ts';
import { parseManifest, type Manifest } from '../workers/model/manifest.ts';
import { loadTokenizer } from '../workers/model/tokenizer.ts';
import { FreshInterpreters, pyodideFactory } from '../workers/python/fresh.ts';
import { runSolveLoop } from '../workers/solver/loop.ts';
import { FORMATS } from '../workers/solver/formats.ts';
import type { ModelResult, SolveRequest } from '../workers/contracts.ts';
import type { EvalItem } from './eval-data.ts';
import { evalRequest, type EngineRun, type Solved } from './eval-report.ts';

export interface NodeEngineOptions {
  model: string;
  /** Folder holding `<model>/manifest.json` (default models/packages). */
  packages: string;
  samples: number;
  /** Package variant (dtype) to run; default fp32. */
  variant?: string;
  onProblem?: (done: number, total: number, solved: Solved) => void;
}

/** The loaded model and sandbox of the Node engine, shared by the model evaluation and `--solver auto`. */
export interface NodeEngine {
  manifest: Manifest;
  variant: string;
  python: FreshInterpreters;
  warmSeconds: number;
  /** Solves one request with the solver's own loop, as the page's model path does. */
  solve(request: SolveRequest): Promise<ModelResult>;
  release(): Promise<void>;
}

export async function loadNodeEngine(options: Pick<NodeEngineOptions, 'model' | 'packages' | 'variant'>): Promise<NodeEngine> {
  const { model, packages: root } = options;
  const warmStart = performance.now();
  const manifest = parseManifest(JSON.parse(readFileSync(join(root, model, 'manifest.json'), 'utf8')));
  const variant = manifest.variants.find((v) => v.dtype === (options.variant ?? 'fp32')) ?? manifest.variants[0]!;
  const session = (await ort.InferenceSession.create(join(root, model, variant.graph))) as unknown as SessionLike;
  const tokenizer = await loadTokenizer(`${root}/`, model);
  // As in the page: every solution gets an interpreter of its own, from a snapshot.
  const python = await FreshInterpreters.create((o) => loadPyodide(o), await pyodideFactory(), {
    runner: readFileSync('workers/python/runner.py', 'utf8'),
    packages: new Uint8Array(readFileSync('public/pyodide/sympy.zip')),
    wasm: new Uint8Array(readFileSync('node_modules/pyodide/pyodide.asm.wasm')),
  });
  const a = manifest.architecture;
  const shape = { numLayers: a.numLayers, numKvHeads: a.numKvHeads, headDim: a.headDim, vocabSize: a.vocabSize, eosTokenIds: manifest.tokens.eos, padTokenId: manifest.tokens.pad, hasValues: manifest.valueHead.present };
  return {
    manifest,
    variant: variant.dtype,
    python,
    warmSeconds: (performance.now() - warmStart) / 1000,
    solve: (request) => runSolveLoop(request, {
      format: FORMATS[manifest.solutionFormat],
      decoder: new BatchDecoder(ort as unknown as OrtLike, session, tokenizer, shape, 'cpu'),
      python,
      packageSelection: manifest.selection,
      emit: () => {},
    }),
    release: async () => void (await session.release?.()),
  };
}

export async function evalNode(options: NodeEngineOptions, items: EvalItem[]): Promise<EngineRun> {
  const engine = await loadNodeEngine(options);
  const solved: Solved[] = [];
  for (const [index, item] of items.entries()) {
    const t0 = performance.now();
    const result = await engine.solve(evalRequest(item, index, options.model, engine.manifest, options.samples));
    const one: Solved = { item, result, seconds: (performance.now() - t0) / 1000 };
    solved.push(one);
    options.onProblem?.(index + 1, items.length, one);
  }
  await engine.release();
  return { engine: 'onnxruntime-node (cpu)', device: 'cpu', variant: engine.variant, solved, extra: { warmSeconds: engine.warmSeconds } };
}
