/**
 * From a Hugging Face hub URL to a running model, in Chromium, against the loopback imitation of
 * the hub (tests/support/hub-server.ts; another origin than the page): a converted tiny Qwen2 in
 * onnx-community's layout (onnx/model_q4.onnx + onnx/model_q4.onnx_data, config.json,
 * tokenizer.json, tokenizer_config.json; manifest.json is the project's addition) is loaded by
 * ModelClient from a registry-like base URL `http://127.0.0.1:<port>/<repo>/resolve/main/`: the
 * hub's 302 to the CDN origin is followed, the connection drops mid-shard and the download resumes
 * with a Range request answered 206, every file is verified and kept in OPFS, and the model decodes
 * torch's greedy tokens. A second load reads the files from OPFS without touching the network. A
 * corrupted byte in the shard is refused by its checksum, naming the file.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type {} from '../support/converted-models.setup.ts'; // the values it provides (inject)
import { ModelClient } from '../../workers/model/client.ts';
import { OpfsStore } from '../../workers/model/download.ts';
import type { ProgressEvent } from '../../workers/contracts.ts';

const REPO = 'onnx-community/Tiny-Qwen2-Math-ONNX';
const ID = 'converted-qwen2-hub';
const SHARD = 'onnx/model_q4.onnx_data';

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
  it('answers as the hub does: 302 to another origin for LFS files, 200 for small ones, 206 for ranges, 404 for what is missing', async () => {
    const direct = await fetch(`${source}config.json`);
    expect(direct.status).toBe(200);
    expect(direct.headers.get('ETag')).toMatch(/^"[0-9a-f]{40}"$/);
    const manual = await fetch(`${source}${SHARD}`, { redirect: 'manual' });
    expect(manual.type).toBe('opaqueredirect');
    const ranged = await fetch(`${source}${SHARD}`, { headers: { Range: 'bytes=100-199' } });
    expect(ranged.status).toBe(206);
    expect(ranged.url.startsWith(hub)).toBe(false);
    expect(ranged.headers.get('Content-Range')).toMatch(/^bytes 100-199\/\d+$/);
    expect(ranged.headers.get('ETag')).toMatch(/^"[0-9a-f]{64}"$/);
    expect((await ranged.arrayBuffer()).byteLength).toBe(100);
    expect((await fetch(`${source}onnx/model_q4f16.onnx`)).status).toBe(404);
    expect((await fetch(`${hub}/${REPO}/resolve/v9/config.json`)).status).toBe(404);
    expect((await fetch(`${hub}/nobody/nothing/resolve/main/config.json`)).status).toBe(404);
  });

  it('refuses a shard whose bytes do not match the manifest, naming it, and keeps none of it', async () => {
    await control({ corruptFile: SHARD });
    const error = await client.load('/unused/', ID, { source, device: 'wasm' }).then(() => undefined, (e: unknown) => e as Error);
    expect(error?.name).toBe('ChecksumError');
    expect(error?.message).toContain(`${SHARD} of model "${ID}" is damaged`);
    expect(await new OpfsStore().size(ID, SHARD)).toBe(0);
  });

  it('loads the package from the hub URL: redirect followed, a connection dropped mid-shard resumed with Range, files verified and kept', async () => {
    const manifest = await (await fetch(`${source}manifest.json`)).json();
    const shard = manifest.files.find((f: { path: string }) => f.path === SHARD);
    await control({ clearLog: true, dropFile: SHARD, dropAfter: Math.floor(shard.bytes / 3) });
    const events: ProgressEvent[] = [];
    const info = await client.load('/unused/', ID, { source, device: 'wasm' }, (e) => events.push(e));
    expect(info).toMatchObject({ id: ID, device: 'wasm', dtype: 'q4' });
    const log = await requests();
    const shardRequests = log.filter((r) => r.path.includes(encodeURIComponent(SHARD)) || r.path.endsWith(SHARD));
    // hub 302 -> CDN 200 (cut after a third) -> hub 302 -> CDN 206 from the byte where it stopped.
    expect(shardRequests.map((r) => `${r.server} ${r.status}`)).toEqual(['hub 302', 'cdn 200', 'hub 302', 'cdn 206']);
    const resumedAt = Number(/bytes=(\d+)-/.exec(shardRequests[3]!.range ?? '')?.[1]);
    expect(resumedAt).toBeGreaterThanOrEqual(Math.floor(shard.bytes / 3));
    expect(resumedAt).toBeLessThan(shard.bytes);
    // Progress over every file the q4 variant needs, ending at their total.
    const total = ['onnx/model_q4.onnx', SHARD, 'tokenizer.json', 'tokenizer_config.json'].reduce((n, p) => n + manifest.files.find((f: { path: string }) => f.path === p).bytes, 0);
    const last = events.filter((e) => e.done !== undefined).at(-1)!;
    expect(last).toMatchObject({ done: total, total });
    expect(await new OpfsStore().size(ID, SHARD)).toBe(shard.bytes);
    // The model runs: torch's greedy tokens for the same (dequantized q4) weights.
    const ref = (await (await fetch('/tests/fixtures/converted/references.json')).json())[ID];
    const result = await client.generate({ jobId: 'hub', prompt: ref.prompt, samplers: [{ seed: 0, temperature: 0, topP: 1 }], maxNewTokens: 12 });
    expect(result.sequences[0]!.tokens).toEqual(ref.greedy.q4.slice(0, 12));
    console.log(`hub download: ${(total / 1024).toFixed(0)} KiB (shard ${shard.bytes} bytes, dropped at ${Math.floor(shard.bytes / 3)}, resumed at ${resumedAt}); load ${info.loadMs.toFixed(0)} ms`);

    // Loaded again: only the manifest is fetched; the files come from OPFS (and are checked again).
    await control({ clearLog: true });
    await client.load('/unused/', ID, { source, device: 'wasm' });
    expect((await requests()).map((r) => r.path)).toEqual([`/${REPO}/resolve/main/manifest.json`]);
  });
});
