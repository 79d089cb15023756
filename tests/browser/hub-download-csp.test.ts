/**
 * The page's own Content-Security-Policy against the hub's redirects, in Chromium, on loopback only:
 * the hub imitation (tests/support/hub-server.ts) answers an LFS file with a 302 to its CDN, another
 * origin. A policy that lists the hub but not the CDN must fail the download at the redirect with a
 * message naming the refused host (no retries); the same download is followed and verified when the
 * policy lists both. The policy is set with a <meta> element, as a page can (it applies from then on).
 * The browser names only the URL asked for in its report, so the message names the hub and its redirect.
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type {} from '../support/converted-models.setup.ts'; // the values it provides (inject)
import { downloadFile, DownloadError, type FileStore } from '../../workers/model/download.ts';
import { hubPackage, hubRepoOf } from '../../workers/model/hub.ts';
import registry from '../../models/registry.json';
import type { Manifest } from '../../workers/model/manifest.ts';

const ENTRY = registry.models.find((m) => m.layout === 'hub')!;
const REPO = hubRepoOf(ENTRY.source)!.repo;
const GRAPH = 'onnx/model_q4.onnx';

/** Files kept in memory: this test is about the network path, not OPFS. */
function memoryStore(): FileStore {
  const files = new Map<string, Uint8Array[]>();
  const key = (pkg: string, path: string) => `${pkg}/${path}`;
  const read = (pkg: string, path: string) => {
    const parts = files.get(key(pkg, path)) ?? [];
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  };
  return {
    size: async (pkg, path) => read(pkg, path).length,
    append: async (pkg, path, bytes) => void files.set(key(pkg, path), [...(files.get(key(pkg, path)) ?? []), bytes.slice()]),
    read: async (pkg, path) => read(pkg, path),
    remove: async (pkg, path) => {
      for (const k of [...files.keys()]) if (path === undefined ? k.startsWith(`${pkg}/`) : k === key(pkg, path)) files.delete(k);
    },
    list: async () => [],
  };
}

/** The hub imitation's log of requests for the graph, hub and CDN alike. */
const graphRequests = async () =>
  ((await (await fetch(`${hub}/__log`)).json()) as Array<{ server: string; path: string }>).filter((r) => r.server === 'hub' ? r.path.endsWith(GRAPH) : true).filter((r) => r.server === 'hub' || !r.path.startsWith('/__'));

let hub: string;
let cdn: string;
let manifest: Manifest;
let folder: string;

beforeAll(async () => {
  const missing = inject('convertedMissing');
  if (missing) throw new Error(`The converted test packages are missing: ${missing}`);
  hub = inject('hubOrigin');
  ({ manifest, folder } = await hubPackage(`${hub}/${REPO}/resolve/main/`));
  // Where the hub sends the graph: its CDN origin, read from the 302.
  const location = (await fetch(`${folder}${GRAPH}`)).url;
  cdn = new URL(location).origin;
  expect(cdn).not.toBe(hub);
});

describe("downloads under the page's Content-Security-Policy", () => {
  it('follows the redirect to a listed host and verifies the file', async () => {
    const meta = document.createElement('meta');
    meta.httpEquiv = 'Content-Security-Policy';
    meta.content = `connect-src 'self' ws: ${hub} ${cdn}`;
    document.head.append(meta);
    const file = manifest.files.find((f) => f.path === GRAPH)!;
    const bytes = await downloadFile(folder, manifest, file, memoryStore(), { retries: 0 });
    expect(bytes.length).toBe(file.bytes);
  });

  it('fails at a redirect to an unlisted host with a message that says so, without retries', async () => {
    // A second policy: both apply, so the CDN is now refused.
    const meta = document.createElement('meta');
    meta.httpEquiv = 'Content-Security-Policy';
    meta.content = `connect-src 'self' ws: ${hub}`;
    document.head.append(meta);
    const file = manifest.files.find((f) => f.path === GRAPH)!;
    const before = (await graphRequests()).length;
    const error = await downloadFile(folder, manifest, file, memoryStore(), { retries: 3, backoffMs: 50 }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(DownloadError);
    // Chromium reports the URL asked for (the hub's), not the redirect's target, which a page may not learn.
    expect((error as Error).message).toBe(`Could not download ${GRAPH}: this site's Content-Security-Policy (connect-src) refused the connection to ${hub}, or to the host it redirects to.`);
    expect((error as DownloadError).hint).toContain('REDIRECT_HOSTS');
    // One request to the hub, none to the CDN: no retry.
    const after = await graphRequests();
    expect(after.length - before).toBe(1);
    expect(after.slice(before).every((r) => r.server === 'hub')).toBe(true);
  });
});
