/**
 * The page's own connect-src against the hub's redirects to every host it names, by their real names:
 * Chromium resolves huggingface.co and *.hf.co to a loopback HTTPS server (tests/support/named-hosts.ts),
 * which answers `https://huggingface.co/redirect?to=<host>/...` with a 302 there, as the hub does for
 * LFS and Xet files. Each redirect to a listed host is followed and read; one to a host the list lacks
 * (under the same domain, so only the exact list decides) is refused, and the download code says why.
 */
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../../web/security/headers.ts';
import { modelHosts, parseRegistry, REDIRECT_HOSTS } from '../../workers/model/registry.ts';
import { downloadFile, DownloadError, type FileStore } from '../../workers/model/download.ts';
import type { Manifest, PackageFile } from '../../workers/model/manifest.ts';
import registryJson from '../../models/registry.json';

const HUB = 'https://huggingface.co';
/** A host no policy lists, under a domain the hub's hosts use (so only the exact list decides). */
const UNLISTED_HOST = 'https://unlisted-bridge.xethub.hf.co';
const HUB_REDIRECTS = REDIRECT_HOSTS[HUB] ?? [];
const HOSTS = modelHosts(parseRegistry(registryJson));
/** The connect-src directive exactly as the page's servers send it. */
const CONNECT_SRC = contentSecurityPolicy({ connectHosts: HOSTS }).split('; ').find((d) => d.startsWith('connect-src '))!;

const meta = document.createElement('meta');
meta.httpEquiv = 'Content-Security-Policy';
// ws: keeps the test runner's own channel open; the rest is the page's directive.
meta.content = `${CONNECT_SRC} ws:`;
document.head.append(meta);

const viaHub = (target: string) => `${HUB}/redirect?to=${encodeURIComponent(`${target}/repos/ab/file`)}`;

describe("the hub's redirects under the page's connect-src", () => {
  it('lists the hub and every host it redirects to, no wildcard', () => {
    expect(HOSTS).toContain(HUB);
    expect(HUB_REDIRECTS.length).toBeGreaterThan(0);
    for (const host of HUB_REDIRECTS) expect(CONNECT_SRC.split(' ')).toContain(host);
    expect(CONNECT_SRC).not.toContain('*');
    expect(CONNECT_SRC.split(' ')).not.toContain(UNLISTED_HOST);
  });

  it.each(HUB_REDIRECTS.map((h) => [h]))('follows a redirect to %s', async (host) => {
    const response = await fetch(viaHub(host));
    expect(response.ok).toBe(true);
    expect(response.redirected).toBe(true);
    expect(await response.text()).toBe(`file from ${new URL(host).hostname}`);
  });

  it('refuses a redirect to a host the policy does not list, and the download says so', async () => {
    const violations: string[] = [];
    document.addEventListener('securitypolicyviolation', (e) => violations.push(e.blockedURI));
    await expect(fetch(viaHub(UNLISTED_HOST))).rejects.toThrow(TypeError);
    await expect.poll(() => violations.length).toBeGreaterThan(0);

    // The same redirect met by the download code: one clear message, no retry.
    const file = { path: 'model.onnx', bytes: 10, sha256: '0'.repeat(64) } as PackageFile;
    const manifest = { id: 'named-hosts', files: [file] } as unknown as Manifest;
    const store: FileStore = {
      size: async () => 0, append: async () => undefined, read: async () => new Uint8Array(), remove: async () => undefined, list: async () => [],
    };
    const folder = `${HUB}/redirect?to=${encodeURIComponent(`${UNLISTED_HOST}/`)}&f=`;
    const error = await downloadFile(folder, manifest, file, store, { retries: 2, backoffMs: 10 }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(DownloadError);
    expect((error as Error).message).toContain("this site's Content-Security-Policy (connect-src) refused the connection");
  });
});
