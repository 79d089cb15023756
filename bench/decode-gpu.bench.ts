/**
 * Bytes that cross between JavaScript and the GPU per decode step, with the KV cache returned to
 * JavaScript every step (a session without preferredOutputLocation) and kept in GPU buffers (as
 * workers/model/load.ts creates WebGPU sessions): the converted tiny Llama (tests/fixtures/converted,
 * fp32), batch 8, 256 tokens, in headless Chromium on WebGPU. Byte counts are deterministic, so the
 * software adapter (SwiftShader) measures them as a GPU would; its tokens/s are not GPU figures.
 *
 *   npx tsx bench/decode-gpu.bench.ts [--model converted-llama] [--variant fp32] [--rows 8] [--tokens 256]
 *
 * Writes bench/results/decode-gpu-transfer-<model>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';
import type { AddressInfo } from 'node:net';
import { assertChromium, CHROMIUM_ARGS } from '../tests/support/chromium.ts';
import { ensureConvertedFixtures } from '../tests/support/converted-fixtures.ts';
import type { BenchResult, BenchRun } from './decode-gpu.page.ts';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const option = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const MODEL = option('--model') ?? 'converted-llama';
const VARIANT = (option('--variant') ?? 'fp32') as BenchRun['variant'];
const ROWS = Number(option('--rows') ?? 8);
const TOKENS = Number(option('--tokens') ?? 256);

const missing = ensureConvertedFixtures();
if (missing) throw new Error(missing);
const server = await createServer({
  root: REPO,
  configFile: false,
  logLevel: 'warn',
  clearScreen: false,
  cacheDir: join(REPO, 'node_modules/.vite-bench'),
  optimizeDeps: { entries: ['bench/decode-gpu.html'], exclude: ['onnxruntime-web', '@huggingface/transformers'] },
  server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false, watch: null, open: false },
});
await server.listen();
const origin = `http://127.0.0.1:${(server.httpServer!.address() as AddressInfo).port}`;
const browser = await chromium.launch({ executablePath: assertChromium(), args: CHROMIUM_ARGS, headless: true });
try {
  const page = await browser.newPage();
  const offLoopback: string[] = [];
  page.on('request', (r) => {
    if (!/^(http:\/\/127\.0\.0\.1[:/]|data:|blob:)/.test(r.url())) offLoopback.push(r.url());
  });
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  await page.goto(`${origin}/bench/decode-gpu.html`);
  await page.waitForFunction(() => document.title === 'ready', undefined, { timeout: 180_000 });
  const runs: Record<string, BenchResult> = {};
  for (const kvOnGpu of [false, true]) {
    const r: BenchRun = { model: MODEL, variant: VARIANT, rows: ROWS, tokens: TOKENS, kvOnGpu };
    runs[kvOnGpu ? 'after' : 'before'] = await page.evaluate((x) => (window as unknown as { decodeBench: (r: BenchRun) => Promise<BenchResult> }).decodeBench(x), r);
  }
  if (offLoopback.length) throw new Error(`requests left loopback: ${offLoopback.join(', ')}`);
  const result = {
    date: new Date().toISOString(),
    what: 'bytes crossing between JavaScript and the execution provider per decode step (inputs uploaded, outputs downloaded); kv = past_key_values fed from JavaScript + present read back',
    browser: `Chromium ${browser.version()} (headless, --enable-unsafe-webgpu)`,
    adapter: runs.after!.adapter,
    model: MODEL,
    variant: VARIANT,
    rows: ROWS,
    tokens: TOKENS,
    before: { ...runs.before!, note: 'session without preferredOutputLocation: present.* returned to JavaScript and fed back each step' },
    after: { ...runs.after!, note: "preferredOutputLocation 'gpu-buffer' for present.*, fed back as past_key_values.*; rows copied on the GPU" },
    kvBytesPerStepBefore: runs.before!.perStep.kvUpload + runs.before!.perStep.kvDownload,
    kvBytesPerStepAfter: runs.after!.perStep.kvUpload + runs.after!.perStep.kvDownload,
    tokensPerSecondNote: 'software adapter (SwiftShader, CPU): speeds are not GPU figures',
  };
  mkdirSync(join(REPO, 'bench/results'), { recursive: true });
  const out = join(REPO, `bench/results/decode-gpu-transfer-${MODEL}.json`);
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.table({
    'KV bytes per step, cache in JavaScript': result.kvBytesPerStepBefore.toFixed(0),
    'KV bytes per step, cache on the GPU': result.kvBytesPerStepAfter.toFixed(0),
    'other bytes per step (ids, mask, logits), before / after': `${(runs.before!.perStep.upload + runs.before!.perStep.download).toFixed(0)} / ${(runs.after!.perStep.upload + runs.after!.perStep.download).toFixed(0)}`,
    'tokens/s (software adapter), before / after': `${runs.before!.tokensPerSecond.toFixed(1)} / ${runs.after!.tokensPerSecond.toFixed(1)}`,
  });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await server.close();
}
