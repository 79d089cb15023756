/**
 * How much WebAssembly memory ONNX Runtime Web takes while it creates a session from a single-file
 * graph (weights inside the .onnx, as onnx-community's Qwen2.5-Math q4 / q4f16 builds) and from the
 * same weights as external data: the copy factors workers/model/memory-plan.ts (`creationHeapBytes`)
 * plans with. A random Llama-shaped checkpoint (hidden 2048, MLP 5632, 2 layers: 393 MB of fp32
 * weights) is converted both ways by models/convert/convert.py into a temporary folder, then loaded
 * in headless Chromium on WebAssembly and on WebGPU (SwiftShader: the heap is the CPU side's, which a
 * hardware GPU shares). The memory never shrinks, so its size after `create` is the peak.
 *
 *   npx tsx bench/session-memory.bench.ts
 *
 * Writes bench/results/session-memory.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';
import { assertChromium, CHROMIUM_ARGS } from '../tests/support/chromium.ts';
import { ensureConvertedFixtures } from '../tests/support/converted-fixtures.ts';
import type { HeapRun } from './session-memory.page.ts';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const missing = ensureConvertedFixtures();
if (missing) throw new Error(missing);
// Under node_modules (git-ignored), so the dev server serves the files as they are.
const tmp = join(REPO, 'node_modules/.session-memory');
rmSync(tmp, { recursive: true, force: true });
mkdirSync(tmp, { recursive: true });
const make = `
import json, os, sys
sys.path[:0] = ['${REPO}/models/tests', '${REPO}/models/convert', '${REPO}/models/tokenizer']
import test_convert as tc, convert
tc.DEMO_TOKENIZER = '${REPO}/tests/fixtures/model/tiny-random/tokenizer.json'
cfg = {'architectures': ['LlamaForCausalLM'], 'model_type': 'llama', 'vocab_size': tc.demo_vocab_size(), 'hidden_size': 2048,
       'intermediate_size': 5632, 'num_hidden_layers': 2, 'num_attention_heads': 16, 'num_key_value_heads': 4,
       'max_position_embeddings': 256, 'rms_norm_eps': 1e-6, 'rope_theta': 10000.0, 'hidden_act': 'silu',
       'tie_word_embeddings': False, 'eos_token_id': 1, 'pad_token_id': 0, 'torch_dtype': 'float32'}
base = os.path.join('${tmp}', 'ckpt'); os.makedirs(base)
sd = tc.random_weights(cfg, 3)
tc.write_safetensors(os.path.join(base, 'model.safetensors'), {k: v.numpy() for k, v in sd.items()})
json.dump(cfg, open(os.path.join(base, 'config.json'), 'w'))
tc.write_fast_tokenizer(base)
for mode in ('never', 'always'):
    assert convert.main(['--checkpoint', base, '--out', os.path.join('${tmp}', mode), '--id', 'big', '--dtypes', 'fp32',
                         '--context', '256', '--external-data', mode, '--shard-mb', '512']) == 0
`;
const py = spawnSync(process.env.PYTHON ?? '/usr/bin/python3', ['-c', make], { encoding: 'utf8' });
if (py.status !== 0) throw new Error(`converting the checkpoint failed: ${py.stderr.slice(-2000)}`);

const server = await createServer({
  root: REPO,
  configFile: false,
  logLevel: 'warn',
  clearScreen: false,
  cacheDir: join(REPO, 'node_modules/.vite-bench'),
  optimizeDeps: { entries: ['bench/session-memory.html'], exclude: ['onnxruntime-web'] },
  server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false, watch: null, open: false },
});
await server.listen();
const origin = `http://127.0.0.1:${(server.httpServer!.address() as AddressInfo).port}`;
const browser = await chromium.launch({ executablePath: assertChromium(), args: CHROMIUM_ARGS, headless: true });
try {
  const runs = [];
  for (const device of ['wasm', 'webgpu'] as const) {
    for (const mode of ['never', 'always'] as const) {
      // A fresh page per run: the memory of one run is not the next run's baseline.
      const page = await browser.newPage();
      await page.goto(`${origin}/bench/session-memory.html`);
      await page.waitForFunction(() => document.title === 'ready', undefined, { timeout: 180_000 });
      const r: HeapRun = { device, graph: `/node_modules/.session-memory/${mode}/onnx/model.onnx`, ...(mode === 'always' ? { externalData: `/node_modules/.session-memory/${mode}/onnx/model.onnx_data` } : {}), warmup: '/tests/fixtures/converted/converted-qwen2/onnx/model.onnx' };
      const m = await page.evaluate((x) => (window as unknown as { sessionHeap: (r: HeapRun) => Promise<{ fileBytes: number; heapBefore: number; heapAfter: number }> }).sessionHeap(x), r);
      await page.close();
      runs.push({ device, graph: mode === 'never' ? 'single file' : 'external data', ...m, grownOverFile: +((m.heapAfter - m.heapBefore) / m.fileBytes).toFixed(2) });
    }
  }
  const result = {
    date: new Date().toISOString(),
    browser: `Chromium ${browser.version()} (headless, --enable-unsafe-webgpu; WebGPU on SwiftShader)`,
    what: 'growth of ONNX Runtime Web WebAssembly memory while InferenceSession.create runs, over the bytes of the files given to it (fp32 weights, 393 MB)',
    runs,
  };
  mkdirSync(join(REPO, 'bench/results'), { recursive: true });
  writeFileSync(join(REPO, 'bench/results/session-memory.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.table(runs.map((r) => ({ device: r.device, graph: r.graph, 'file MB': (r.fileBytes / 1e6).toFixed(0), 'heap grown MB': ((r.heapAfter - r.heapBefore) / 1e6).toFixed(0), 'x file': r.grownOverFile })));
} finally {
  await browser.close();
  await server.close();
  rmSync(tmp, { recursive: true, force: true });
}
