/**
 * From a Hugging Face hub URL to a running model, in Chromium, against the loopback imitation of
 * the hub (tests/support/hub-server.ts; another origin than the page): a converted tiny Qwen2 in
 * onnx-community's layout (config.json, generation_config.json, tokenizer.json,
 * tokenizer_config.json at the root, onnx/model_q4.onnx one file with its weights inside, no
 * manifest) is served as the registry's repository and loaded by ModelClient from
 * `http://127.0.0.1:<port>/<repo>/resolve/main/`: `main` is resolved to its commit, the package
 * description is built from the tree API, the hub's 302 to the CDN origin is followed, the
 * connection drops mid-graph and the download resumes with a Range request answered 206, every file
 * is verified and kept in OPFS, and the model decodes torch's greedy tokens. A second load reads
 * the kept manifest and files from OPFS without touching the network. A corrupted byte in the graph
 * is refused by its checksum, naming the file.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type {} from '../support/converted-models.setup.ts'; // the values it provides (inject)
import { ModelClient } from '../../workers/model/client.ts';
import { OpfsStore } from '../../workers/model/download.ts';
import type { ProgressEvent } from '../../workers/contracts.ts';
import { hubRepoOf } from '../../workers/model/hub.ts';
import registry from '../../models/registry.json';

const ENTRY = registry.models.find((m) => m.layout === 'hub')!;
const REPO = hubRepoOf(ENTRY.source)!.repo;
const ID = ENTRY.id;
const GRAPH = 'onnx/model_q4.onnx';
/** The q4f16 build beside it, in the external-data form: float16 inside, float32 cache inputs and outputs. */
const HALF = 'onnx/model_q4f16.onnx';

interface Logged {
  server: 'hub' | 'cdn';
  method: string;
  path: string;
  range: string | null;
  status: number;
}

let hub: string;
let source: string;
const client = new ModelClient();
afterAll(() => client.dispose());

beforeAll(async () => {
  const missing = inject('convertedMissing');
  if (missing) throw new Error(`The converted test packages are missing: ${missing}`);
  hub = inject('hubOrigin');
  source = `${hub}/${REPO}/resolve/main/`;
  await new OpfsStore().remove(ID);
});

const control = (body: object) => fetch(`${hub}/__control`, { method: 'POST', body: JSON.stringify(body) });
const requests = async (): Promise<Logged[]> => (await fetch(`${hub}/__log`)).json();

describe('download from a Hugging Face-like hub', () => {
  it('answers as the hub does: the tree API, 302 to another origin for LFS files, 200 for small ones, 206 for ranges, 404 for what is missing', async () => {
    const tree = (await (await fetch(`${hub}/api/models/${REPO}/tree/main/onnx`)).json()) as Array<{ path: string; lfs?: object }>;
    expect(tree.map((f) => f.path).sort()).toEqual([GRAPH, HALF, `${HALF}_data`]);
    expect(tree.every((f) => f.lfs !== undefined)).toBe(true);
    const direct = await fetch(`${source}config.json`);
    expect(direct.status).toBe(200);
    expect(direct.headers.get('ETag')).toMatch(/^"[0-9a-f]{40}"$/);
    const manual = await fetch(`${source}${GRAPH}`, { redirect: 'manual' });
    expect(manual.type).toBe('opaqueredirect');
    const ranged = await fetch(`${source}${GRAPH}`, { headers: { Range: 'bytes=100-199' } });
    expect(ranged.status).toBe(206);
    expect(ranged.url.startsWith(hub)).toBe(false);
    expect(ranged.headers.get('Content-Range')).toMatch(/^bytes 100-199\/\d+$/);
    expect(ranged.headers.get('ETag')).toMatch(/^"[0-9a-f]{64}"$/);
    expect((await ranged.arrayBuffer()).byteLength).toBe(100);
    expect((await fetch(`${source}onnx/model_fp16.onnx`)).status).toBe(404);
    expect((await fetch(`${hub}/${REPO}/resolve/v9/config.json`)).status).toBe(404);
    expect((await fetch(`${hub}/nobody/nothing/resolve/main/config.json`)).status).toBe(404);
  });

  it('refuses a graph whose bytes do not match the hub\'s sha256, naming it, and keeps none of it', async () => {
    await control({ corruptFile: GRAPH });
    const error = await client.load('/unused/', ID, { source, device: 'wasm' }).then(() => undefined, (e: unknown) => e as Error);
    expect(error?.name).toBe('ChecksumError');
    expect(error?.message).toContain(`${GRAPH} of model "${ID}" is damaged`);
    expect(await new OpfsStore().size(ID, GRAPH)).toBe(0);
  });

  it('loads the package from the hub URL: commit resolved, tree read, redirect followed, a connection dropped mid-graph resumed with Range, files verified and kept', async () => {
    await new OpfsStore().remove(ID);
    const { sha: commit } = (await (await fetch(`${hub}/api/models/${REPO}/revision/main`)).json()) as { sha: string };
    const sizes = new Map<string, number>();
    for (const folder of ['', '/onnx']) for (const f of (await (await fetch(`${hub}/api/models/${REPO}/tree/main${folder}`)).json()) as Array<{ path: string; size: number }>) sizes.set(f.path, f.size);
    const graphBytes = sizes.get(GRAPH)!;
    await control({ clearLog: true, dropFile: GRAPH, dropAfter: Math.floor(graphBytes / 3) });
    const events: ProgressEvent[] = [];
    const info = await client.load('/unused/', ID, { source, device: 'wasm' }, (e) => events.push(e));
    expect(info).toMatchObject({ id: ID, device: 'wasm', dtype: 'q4' });
    const log = await requests();
    expect(log.slice(0, 3).map((r) => r.path)).toEqual([`/api/models/${REPO}/revision/main`, `/api/models/${REPO}/tree/${commit}`, `/api/models/${REPO}/tree/${commit}/onnx`]);
    // Every file from the commit main named, none from "main" itself.
    expect(log.filter((r) => r.path.includes('/resolve/')).every((r) => r.path.includes(`/resolve/${commit}/`))).toBe(true);
    const graphRequests = log.filter((r) => r.path.includes(encodeURIComponent(GRAPH)) || r.path.endsWith(GRAPH));
    // hub 302 -> CDN 200 (cut after a third) -> hub 302 -> CDN 206 from the byte where it stopped.
    expect(graphRequests.map((r) => `${r.server} ${r.status}`)).toEqual(['hub 302', 'cdn 200', 'hub 302', 'cdn 206']);
    const resumedAt = Number(/bytes=(\d+)-/.exec(graphRequests[3]!.range ?? '')?.[1]);
    expect(resumedAt).toBeGreaterThanOrEqual(Math.floor(graphBytes / 3));
    expect(resumedAt).toBeLessThan(graphBytes);
    // Progress over every file the q4 variant needs, ending at their total.
    const total = [GRAPH, 'tokenizer.json', 'tokenizer_config.json'].reduce((n, p) => n + sizes.get(p)!, 0);
    const last = events.filter((e) => e.done !== undefined).at(-1)!;
    expect(last).toMatchObject({ done: total, total });
    expect(await new OpfsStore().size(ID, GRAPH)).toBe(graphBytes);
    // The model runs: torch's greedy tokens for the same (dequantized q4) weights.
    const ref = (await (await fetch('/tests/fixtures/converted/references.json')).json())['converted-qwen2-hub'];
    const result = await client.generate({ jobId: 'hub', prompt: ref.prompt, samplers: [{ seed: 0, temperature: 0, topP: 1 }], maxNewTokens: 12 });
    expect(result.sequences[0]!.tokens).toEqual(ref.greedy.q4.slice(0, 12));
    console.log(`hub download: ${(total / 1024).toFixed(0)} KiB (graph ${graphBytes} bytes, dropped at ${Math.floor(graphBytes / 3)}, resumed at ${resumedAt}); load ${info.loadMs.toFixed(0)} ms`);

    // Loaded again: the manifest built the first time and the files come from OPFS (checked again); no request.
    await control({ clearLog: true });
    await client.load('/unused/', ID, { source, device: 'wasm' });
    expect(await requests()).toEqual([]);
  });

  it('loads the q4f16 build (external data through the CDN, float16 inside, float32 cache) on WebAssembly and decodes torch\'s greedy tokens of its weights, two rows at once', async () => {
    await new OpfsStore().remove(ID);
    // On a GPU without 16-bit float shaders (SwiftShader here) the variant is refused by name; with them it runs.
    const adapter = await navigator.gpu?.requestAdapter();
    if (adapter) {
      const onGpu = await client.load('/unused/', ID, { source, device: 'webgpu', dtype: 'q4f16' }).then((i) => i, (e: unknown) => e as Error);
      if (adapter.features.has('shader-f16')) expect(onGpu).toMatchObject({ device: 'webgpu', dtype: 'q4f16' });
      else expect((onGpu as Error).message).toContain('The q4f16 variant was asked for, but this GPU lacks the 16-bit float shaders it needs.');
      console.log(`q4f16 on WebGPU (shader-f16 ${adapter.features.has('shader-f16')}): ${onGpu instanceof Error ? onGpu.message : 'loaded'}`);
    }
    await control({ clearLog: true });
    const info = await client.load('/unused/', ID, { source, device: 'wasm', dtype: 'q4f16' });
    expect(info).toMatchObject({ id: ID, device: 'wasm', dtype: 'q4f16' });
    const log = await requests();
    // Both files of the variant from the CDN after the hub's redirect; the q4 graph not at all.
    for (const path of [HALF, `${HALF}_data`]) {
      const seen = log.filter((r) => r.path.endsWith(`/${path}`) || r.path.endsWith(`?download=${encodeURIComponent(path)}`));
      expect(seen.map((r) => `${r.server} ${r.status}`), path).toEqual(['hub 302', 'cdn 200']);
    }
    expect(log.some((r) => r.path.endsWith(GRAPH))).toBe(false);
    const ref = (await (await fetch('/tests/fixtures/converted/references.json')).json())['converted-qwen2-hub'];
    const greedy = { seed: 0, temperature: 0, topP: 1 };
    const result = await client.generate({ jobId: 'hub-q4f16', prompt: ref.prompt, samplers: [greedy, { ...greedy, seed: 1 }], maxNewTokens: 12 });
    for (const row of result.sequences) expect(row.tokens).toEqual(ref.greedy.q4f16.slice(0, 12));
    // Not the q4 build's tokens: the variant loaded is the one asked for.
    expect(ref.greedy.q4f16.slice(0, 12)).not.toEqual(ref.greedy.q4.slice(0, 12));
  });
});
