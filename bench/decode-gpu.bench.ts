/**
 * Bytes that cross between JavaScript and the GPU per decode step and per appended code output, in
 * three sessions: the KV cache and logits returned to JavaScript every call (no preferredOutputLocation);
 * the cache kept in GPU buffers with the logits read back whole; and both kept on the GPU with only each
 * fed row's last-position logits read back (as workers/model/load.ts creates WebGPU sessions). The
 * converted tiny Llama (tests/fixtures/converted, fp32), batch 8, 256 tokens, then `--append` tokens of
 * output appended to every row, in headless Chromium on WebGPU. Byte counts are deterministic, so the
 * software adapter (SwiftShader) measures them as a GPU would; its tokens/s are not GPU figures.
 *
 *   npx tsx bench/decode-gpu.bench.ts [--model converted-llama] [--variant fp32] [--rows 8] [--tokens 256] [--append 60]
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
const APPEND = Number(option('--append') ?? 60);
/** Vocabulary sizes of the registry's real models, for the logits bytes the measured layout implies there. */
const REAL_VOCABS = { 'Qwen2.5-Math-1.5B-Instruct': 151936, 'MARIO-OVM-7B (Llemma)': 32016 };

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
  for (const [name, kvOnGpu, logitsOnGpu] of [['before', false, false], ['kvOnGpu', true, false], ['after', true, true]] as const) {
    const r: BenchRun = { model: MODEL, variant: VARIANT, rows: ROWS, tokens: TOKENS, kvOnGpu, logitsOnGpu, appendTokens: APPEND };
    runs[name] = await page.evaluate((x) => (window as unknown as { decodeBench: (r: BenchRun) => Promise<BenchResult> }).decodeBench(x), r);
  }
  const vocab = runs.after!.vocabSize;
  const appended = runs.after!.perAppend!.tokens;
  // The figures below are formulas in the vocabulary: check that the measured bytes are exactly them.
  const logitsWhole = ROWS * appended * vocab * 4;
  const valuesWhole = runs.after!.hasValues ? ROWS * appended * 4 : 0;
  if (runs.kvOnGpu!.perAppend!.download !== logitsWhole + valuesWhole) throw new Error(`append read back ${runs.kvOnGpu!.perAppend!.download} bytes, not ${logitsWhole} + ${valuesWhole}`);
  if (runs.after!.perAppend!.download !== vocab * 4 + valuesWhole) throw new Error(`append read back ${runs.after!.perAppend!.download} bytes, not ${vocab * 4} + ${valuesWhole}`);
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
    appendTokens: appended,
    before: { ...runs.before!, note: 'session without preferredOutputLocation: present.* and logits returned to JavaScript each call, the cache fed back from there' },
    kvOnGpu: { ...runs.kvOnGpu!, note: "preferredOutputLocation 'gpu-buffer' for present.*, fed back as past_key_values.*; rows gathered on the GPU; logits read back whole" },
    after: { ...runs.after!, note: "preferredOutputLocation 'gpu-buffer' for present.* and logits; only the last position of each fed row's logits read back (Gather + Slice on the GPU when fewer rows or positions than the output has)" },
    kvBytesPerStepBefore: runs.before!.perStep.kvUpload + runs.before!.perStep.kvDownload,
    kvBytesPerStepAfter: runs.after!.perStep.kvUpload + runs.after!.perStep.kvDownload,
    bytesPerStep: { before: runs.before!.perStep.upload + runs.before!.perStep.download + runs.before!.perStep.kvUpload + runs.before!.perStep.kvDownload, kvOnGpu: runs.kvOnGpu!.perStep.upload + runs.kvOnGpu!.perStep.download, after: runs.after!.perStep.upload + runs.after!.perStep.download },
    logitsBytesPerAppend: { kvOnGpu: logitsWhole, after: vocab * 4 },
    logitsBytesPerOutputAppendToAllRows: { kvOnGpu: ROWS * logitsWhole, after: ROWS * vocab * 4 },
    webgpuApiBytesReadPerAppend: { before: runs.before!.perAppend!.webgpuApi.read, kvOnGpu: runs.kvOnGpu!.perAppend!.webgpuApi.read, after: runs.after!.perAppend!.webgpuApi.read },
    atRealVocabularies: Object.fromEntries(
      Object.entries(REAL_VOCABS).map(([id, v]) => [id, { vocab: v, logitsBytesPerAppendBefore: ROWS * appended * v * 4, logitsBytesPerAppendAfter: v * 4, logitsBytesPerAppendToAllRowsBefore: ROWS * ROWS * appended * v * 4, logitsBytesPerAppendToAllRowsAfter: ROWS * v * 4 }]),
    ),
    atRealVocabulariesNote: `float32 logits; an append is one call over all ${ROWS} rows, ${appended} positions wide (the other rows padded); "to all rows": ${ROWS} such appends, one per row. The formulas the measured bytes above equal`,
    tokensPerSecondNote: 'software adapter (SwiftShader, CPU): speeds are not GPU figures',
  };
  mkdirSync(join(REPO, 'bench/results'), { recursive: true });
  const out = join(REPO, `bench/results/decode-gpu-transfer-${MODEL}.json`);
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.table({
    [`logits bytes per ${appended}-token append, read back whole / last position only`]: `${logitsWhole} / ${vocab * 4}`,
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
