/**
 * Package downloads against a local server (127.0.0.1 only) that drops connections, ignores
 * Range, or serves a corrupted byte: resume completes, corruption names the file, a full
 * disk leaves no package marked usable. The files are the random test package's.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { downloadFile, downloadPackage, isStored, MemoryStore, StorageFullError, DownloadError } from '../../workers/model/download.ts';
import { ChecksumError, parseManifest } from '../../workers/model/manifest.ts';
import { CancelledError } from '../../workers/common/errors.ts';

const DIR = resolve('tests/fixtures/model/tiny-random');
const manifest = parseManifest(JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8')));
const PATHS = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model_quantized.onnx'];

/** How the server misbehaves; changed per test. */
const faults = { dropAfter: Infinity, ignoreRange: false, corrupt: undefined as string | undefined, chunkDelayMs: 0 };
const seen: Array<{ path: string; range: string | undefined }> = [];
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url!, 'http://x').pathname.slice(1));
    seen.push({ path, range: req.headers.range });
    let body: Buffer;
    try {
      body = readFileSync(join(DIR, path));
    } catch {
      res.writeHead(404).end();
      return;
    }
    if (faults.corrupt === path) {
      body = Buffer.from(body);
      body[Math.floor(body.length / 2)]! ^= 0xff;
    }
    const m = /bytes=(\d+)-/.exec(req.headers.range ?? '');
    const start = m && !faults.ignoreRange ? Number(m[1]) : 0;
    const headers = { 'Content-Length': String(body.length - start), 'Accept-Ranges': 'bytes' };
    if (start > 0) res.writeHead(206, { ...headers, 'Content-Range': `bytes ${start}-${body.length - 1}/${body.length}` });
    else res.writeHead(200, headers);
    const part = body.subarray(start, start + Math.min(body.length - start, faults.dropAfter));
    // Send in 16 KiB pieces; drop the connection once `dropAfter` bytes went out.
    let at = 0;
    const pump = () => {
      if (at >= part.length) {
        if (start + part.length < body.length) req.socket.destroy();
        else res.end();
        return;
      }
      res.write(part.subarray(at, at + 16384));
      at += 16384;
      setTimeout(pump, faults.chunkDelayMs);
    };
    pump();
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));
beforeEach(() => {
  Object.assign(faults, { dropAfter: Infinity, ignoreRange: false, corrupt: undefined, chunkDelayMs: 0 });
  seen.length = 0;
});

const fast = { backoffMs: 1 };

describe('package download', () => {
  it('resumes with Range requests through repeated connection drops, and marks the package stored', async () => {
    faults.dropAfter = 100_000;
    const store = new MemoryStore();
    const events: number[] = [];
    await downloadPackage(base, manifest, PATHS, store, { ...fast, onEvent: (e) => e.done !== undefined && events.push(e.done) });
    for (const p of PATHS) expect(await store.read(manifest.id, p)).toEqual(new Uint8Array(readFileSync(join(DIR, p))));
    expect(await isStored(store, manifest.id)).toBe(true);
    const graph = seen.filter((s) => s.path === 'onnx/model_quantized.onnx');
    expect(graph.length).toBe(Math.ceil(manifest.files.find((f) => f.path === 'onnx/model_quantized.onnx')!.bytes / 100_000));
    expect(graph.slice(1).every((s) => /^bytes=\d+-$/.test(s.range ?? ''))).toBe(true);
    expect(events.length).toBeGreaterThan(PATHS.length);
  });

  it('continues a download stopped midway (a closed tab) from the bytes already kept', async () => {
    faults.chunkDelayMs = 2;
    const store = new MemoryStore();
    const file = manifest.files.find((f) => f.path === 'onnx/model_quantized.onnx')!;
    const controller = new AbortController();
    const stopped = downloadFile(base, manifest, file, store, { ...fast, signal: controller.signal, onEvent: (e) => (e.done ?? 0) > 100_000 && controller.abort() });
    await expect(stopped).rejects.toBeInstanceOf(CancelledError);
    // Chunks are kept in batches; what arrived before the stop is written when the stream fails.
    const kept = await store.size(manifest.id, file.path);
    expect(kept).toBeGreaterThan(100_000);
    expect(kept).toBeLessThan(file.bytes);
    faults.chunkDelayMs = 0;
    seen.length = 0;
    await downloadFile(base, manifest, file, store, fast);
    expect(seen.map((s) => s.range)).toEqual([`bytes=${kept}-`]);
    expect(await store.read(manifest.id, file.path)).toEqual(new Uint8Array(readFileSync(join(DIR, file.path))));
  });

  it('starts over when the server ignores Range', async () => {
    faults.dropAfter = 20_000;
    faults.ignoreRange = true;
    const store = new MemoryStore();
    const file = manifest.files.find((f) => f.path === 'tokenizer.json')!;
    // Every attempt restarts at 0 and drops at 20 kB: no progress, so it gives up after its retries.
    await expect(downloadFile(base, manifest, file, store, { ...fast, retries: 3 })).rejects.toBeInstanceOf(DownloadError);
    faults.dropAfter = Infinity;
    await downloadFile(base, manifest, file, store, fast);
    expect(await store.size(manifest.id, file.path)).toBe(file.bytes);
  });

  it('replaces bytes kept from an earlier version of the package, and makes no request when the file is current', async () => {
    const store = new MemoryStore();
    const file = manifest.files.find((f) => f.path === 'tokenizer.json')!;
    await store.append(manifest.id, file.path, new Uint8Array(file.bytes).fill(65));
    const bytes = await downloadFile(base, manifest, file, store, fast);
    expect(bytes).toEqual(new Uint8Array(readFileSync(join(DIR, file.path))));
    seen.length = 0;
    await downloadFile(base, manifest, file, store, fast);
    expect(seen).toHaveLength(0);
  });

  it('names a corrupted file, keeps none of it, and leaves the package unusable', async () => {
    faults.corrupt = 'tokenizer.json';
    const store = new MemoryStore();
    const error = await downloadPackage(base, manifest, PATHS, store, fast).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChecksumError);
    expect((error as Error).message).toContain('tokenizer.json');
    expect(await store.size(manifest.id, 'tokenizer.json')).toBe(0);
    expect(await isStored(store, manifest.id)).toBe(false);
  });

  it('refuses up front when the quota is too small, and reports a full disk without marking the package stored', async () => {
    const store = new MemoryStore();
    const estimate = async () => ({ quota: 300_000, usage: 100_000 });
    const refused = await downloadPackage(base, manifest, PATHS, store, { ...fast, estimate }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(StorageFullError);
    expect((refused as Error).message).toMatch(/needs 3\d\d\.\d KiB more storage, but the browser allows this site 195\.3 KiB more/);
    expect(seen).toHaveLength(0);

    const small = new MemoryStore(200_000);
    const full = await downloadPackage(base, manifest, PATHS, small, fast).catch((e: unknown) => e);
    expect(full).toBeInstanceOf(StorageFullError);
    expect((full as Error).message).toContain('onnx/model_quantized.onnx');
    expect(await isStored(small, manifest.id)).toBe(false);
  });

  it('lets three downloads of one file into one store run one at a time (a paused waiter included), keeping one intact copy', async () => {
    faults.chunkDelayMs = 2;
    const store = new MemoryStore();
    const file = manifest.files.find((f) => f.path === 'onnx/model_quantized.onnx')!;
    const original = new Uint8Array(readFileSync(join(DIR, file.path)));
    const first = downloadFile(base, manifest, file, store, fast);
    const paused = new AbortController();
    const waiter = downloadFile(base, manifest, file, store, { ...fast, signal: paused.signal });
    const third = downloadFile(base, manifest, file, store, fast);
    paused.abort();
    await expect(waiter).rejects.toBeInstanceOf(CancelledError);
    expect(await first).toEqual(original);
    expect(await third).toEqual(original);
    expect(await store.read(manifest.id, file.path)).toEqual(original);
    // The file was fetched once: the third found it complete.
    expect(seen.filter((x) => x.path === file.path)).toHaveLength(1);
  });
});
