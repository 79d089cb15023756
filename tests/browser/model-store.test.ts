/**
 * Package storage in Chromium's origin private file system: a download through a connection
 * that drops every 64 kB resumes into OPFS, the stored files equal the originals, sizes are
 * listed, and deleting frees them. The network is simulated in the page (no server needed).
 */
import { describe, expect, it } from 'vitest';
import { downloadPackage, isStored, OpfsStore } from '../../workers/model/download.ts';
import { parseManifest } from '../../workers/model/manifest.ts';

const BASE = '/tests/fixtures/model/tiny-random/';
const PATHS = ['config.json', 'tokenizer.json', 'onnx/model_quantized.onnx'];

/** Serves the fixture's files, honouring Range, but cuts every answer after `dropAfter` bytes. */
function flakyFetch(dropAfter: number, ranges: string[]): typeof fetch {
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    const range = new Headers(init?.headers).get('Range');
    ranges.push(range ?? '');
    const body = new Uint8Array(await (await fetch(url)).arrayBuffer());
    const start = Number(/bytes=(\d+)-/.exec(range ?? '')?.[1] ?? 0);
    const part = body.subarray(start, start + dropAfter);
    const complete = start + part.length >= body.length;
    let sent = false;
    const stream = new ReadableStream<Uint8Array>({
      // Error only once the bytes were read: erroring a stream discards what is queued.
      pull(controller) {
        if (!sent) {
          sent = true;
          controller.enqueue(part.slice());
        } else if (complete) controller.close();
        else controller.error(new TypeError('network error'));
      },
    });
    const headers = start > 0 ? { 'Content-Range': `bytes ${start}-${body.length - 1}/${body.length}` } : undefined;
    return new Response(stream, { status: start > 0 ? 206 : 200, headers });
  }) as typeof fetch;
}

describe('model storage (OPFS)', () => {
  it('resumes a dropping download into OPFS, lists its size, and deletes it', async () => {
    const manifest = parseManifest(await (await fetch(`${BASE}manifest.json`)).json());
    const store = new OpfsStore();
    await store.remove(manifest.id);
    const ranges: string[] = [];
    await downloadPackage(BASE, manifest, PATHS, store, { fetch: flakyFetch(64 * 1024, ranges), backoffMs: 1, estimate: () => navigator.storage.estimate() });
    expect(ranges.filter((r) => r !== '').length).toBeGreaterThan(3);
    for (const p of PATHS) {
      const original = new Uint8Array(await (await fetch(`${BASE}${p}`)).arrayBuffer());
      expect(await store.read(manifest.id, p)).toEqual(original);
    }
    expect(await isStored(store, manifest.id)).toBe(true);
    const listed = (await store.list()).find((x) => x.pkg === manifest.id)!;
    const expected = manifest.files.filter((f) => PATHS.includes(f.path)).reduce((n, f) => n + f.bytes, 0);
    // The files plus the small completion marker.
    expect(listed.bytes).toBeGreaterThan(expected);
    expect(listed.bytes).toBeLessThan(expected + 1024);
    await store.remove(manifest.id);
    expect(await isStored(store, manifest.id)).toBe(false);
    expect((await store.list()).find((x) => x.pkg === manifest.id)).toBeUndefined();
  }, 60_000);
});
