/**
 * A loopback imitation of the Hugging Face hub's download URLs, for tests of the path from a
 * registry entry's `source` (`https://huggingface.co/<repo>/resolve/main/`) to the model:
 *
 * - `GET /{org}/{name}/resolve/{revision}/{file}`: small files (JSON) are answered directly (200,
 *   `ETag`); large ones (`.onnx`, `.onnx_data`, anything over 64 kB) with `302 Found` to a CDN-like
 *   URL on a second loopback server (`/repos/<sha256[0:2]>/<sha256>`, another port, so another
 *   origin), with `X-Linked-Etag` / `X-Linked-Size` as the hub sends for LFS files.
 * - unknown repository, revision or file: `404` with `X-Error-Code` (`RepoNotFound`,
 *   `RevisionNotFound`, `EntryNotFound`).
 * - both servers honour `Range: bytes=N-` / `bytes=N-M` (`206`, `Content-Range`, `Accept-Ranges`),
 *   answer `416` past the end, send `ETag`, and the CORS and CORP headers a page with
 *   `Cross-Origin-Embedder-Policy: require-corp` needs to read them (`Access-Control-Allow-Origin: *`,
 *   `Access-Control-Expose-Headers`, `Cross-Origin-Resource-Policy: cross-origin`, preflight answers).
 *
 * Faults and a request log, for the browser tests (which cannot call into Node):
 * `POST /__control` with a text body `{"dropFile": "onnx/model_q4.onnx_data", "dropAfter": 200000}`
 * makes the next CDN answer for that file close the connection after that many body bytes;
 * `{"corruptFile": "..."}` flips one byte in the next CDN answer for that file;
 * `GET /__log` returns every request seen (server, method, path, Range, status).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, relative, sep } from 'node:path';
import { serveHandler } from './servers.ts';

export interface HubRequest {
  server: 'hub' | 'cdn';
  method: string;
  path: string;
  range: string | null;
  status: number;
}

export interface HubServer {
  /** e.g. http://127.0.0.1:40123 — a package's base URL is `${origin}/${repo}/resolve/main/`. */
  origin: string;
  cdnOrigin: string;
  log: HubRequest[];
  close: () => Promise<void>;
}

interface Blob {
  bytes: Uint8Array;
  sha256: string;
  /** git blob id, as the hub's ETag for files kept in git (not LFS). */
  gitSha1: string;
  path: string;
}

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'Content-Length, Content-Range, Accept-Ranges, ETag, X-Linked-Etag, X-Linked-Size, X-Error-Code, Location',
  'Cross-Origin-Resource-Policy': 'cross-origin',
  'Timing-Allow-Origin': '*',
};

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

function isLfs(path: string, bytes: number): boolean {
  return /\.onnx(_data(_\d+)?)?$/.test(path) || bytes > 64 * 1024;
}

/** `repos`: repository id ("org/name") -> folder whose files it serves (at revision "main"). */
export async function startHubServer(repos: Record<string, string>): Promise<HubServer> {
  const files = new Map<string, Map<string, Blob>>();
  const bySha = new Map<string, Blob>();
  for (const [repo, dir] of Object.entries(repos)) {
    const map = new Map<string, Blob>();
    for (const full of walk(dir)) {
      const bytes = new Uint8Array(readFileSync(full));
      const path = relative(dir, full).split(sep).join('/');
      const blob: Blob = {
        bytes,
        path,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        gitSha1: createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex'),
      };
      map.set(path, blob);
      bySha.set(blob.sha256, blob);
    }
    files.set(repo, map);
  }
  const log: HubRequest[] = [];
  let drop: { file: string; after: number } | undefined;
  let corrupt: string | undefined;

  const send = (server: HubRequest['server'], req: IncomingMessage, res: ServerResponse, status: number, headers: Record<string, string | number>, body?: Uint8Array | string) => {
    if (!req.url?.startsWith('/__')) log.push({ server, method: req.method ?? 'GET', path: req.url ?? '', range: (req.headers.range as string | undefined) ?? null, status });
    res.writeHead(status, { ...CORS, ...headers });
    res.end(body);
  };
  const preflight = (server: HubRequest['server'], req: IncomingMessage, res: ServerResponse) =>
    send(server, req, res, 204, { 'Access-Control-Allow-Methods': 'GET, HEAD, POST, OPTIONS', 'Access-Control-Allow-Headers': 'Range, Content-Type', 'Access-Control-Max-Age': 600 });

  /** A whole file or the asked range of it, as both the hub (git files) and the CDN (LFS) answer. */
  const serveBytes = (server: HubRequest['server'], req: IncomingMessage, res: ServerResponse, blob: Blob, etag: string) => {
    const size = blob.bytes.length;
    const range = req.headers.range as string | undefined;
    const base = { ETag: etag, 'Accept-Ranges': 'bytes', 'Content-Type': blob.path.endsWith('.json') ? 'application/json' : 'application/octet-stream', 'Cache-Control': 'no-store' };
    let start = 0;
    let end = size - 1;
    let status = 200;
    if (range) {
      const m = /^bytes=(\d+)-(\d*)$/.exec(range);
      if (!m || Number(m[1]) >= size) return send(server, req, res, 416, { ...base, 'Content-Range': `bytes */${size}` });
      start = Number(m[1]);
      end = m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
      status = 206;
    }
    const headers: Record<string, string | number> = { ...base, 'Content-Length': end - start + 1 };
    if (status === 206) headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
    if (req.method === 'HEAD') return send(server, req, res, status, headers);
    let body = blob.bytes.subarray(start, end + 1);
    if (server === 'cdn' && corrupt === blob.path && body.length > 0) {
      corrupt = undefined;
      body = body.slice();
      body[Math.floor(body.length / 2)]! ^= 0xff;
    }
    if (server === 'cdn' && drop && drop.file === blob.path && body.length > drop.after) {
      // A dropped connection: the headers promise the whole range, the body stops short.
      const cut = drop.after;
      drop = undefined;
      log.push({ server, method: req.method ?? 'GET', path: req.url ?? '', range: range ?? null, status });
      res.writeHead(status, { ...CORS, ...headers });
      res.write(body.subarray(0, cut), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    send(server, req, res, status, headers, body);
  };

  const cdn = await serveHandler((req, res) => {
    if (req.method === 'OPTIONS') return preflight('cdn', req, res);
    const m = /^\/repos\/[0-9a-f]{2}\/([0-9a-f]{64})(\?.*)?$/.exec(req.url ?? '');
    const blob = m ? bySha.get(m[1]!) : undefined;
    if (!blob) return send('cdn', req, res, 404, { 'Content-Type': 'text/plain' }, 'Not Found');
    serveBytes('cdn', req, res, blob, `"${blob.sha256}"`);
  });

  const hub = await serveHandler((req, res) => {
    const url = req.url ?? '';
    if (req.method === 'OPTIONS') return preflight('hub', req, res);
    if (url === '/__log') return send('hub', req, res, 200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }, JSON.stringify(log));
    if (url === '/__control' && req.method === 'POST') {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString()));
      req.on('end', () => {
        const body = JSON.parse(text) as { dropFile?: string; dropAfter?: number; corruptFile?: string; clearLog?: boolean };
        if (body.clearLog) log.length = 0;
        drop = body.dropFile ? { file: body.dropFile, after: body.dropAfter ?? 0 } : undefined;
        corrupt = body.corruptFile;
        send('hub', req, res, 200, { 'Content-Type': 'text/plain' }, 'ok');
      });
      return;
    }
    const m = /^\/([\w.-]+\/[\w.-]+)\/resolve\/([\w.-]+)\/([^?]+)(\?.*)?$/.exec(url);
    if (!m) return send('hub', req, res, 404, { 'Content-Type': 'text/plain', 'X-Error-Code': 'RepoNotFound' }, 'Repository not found');
    const [, repo, revision, path] = m as unknown as [string, string, string, string];
    const repoFiles = files.get(repo);
    if (!repoFiles) return send('hub', req, res, 404, { 'Content-Type': 'text/plain', 'X-Error-Code': 'RepoNotFound' }, 'Repository not found');
    if (revision !== 'main') return send('hub', req, res, 404, { 'Content-Type': 'text/plain', 'X-Error-Code': 'RevisionNotFound' }, 'Revision not found');
    const blob = repoFiles.get(decodeURIComponent(path));
    if (!blob) return send('hub', req, res, 404, { 'Content-Type': 'text/plain', 'X-Error-Code': 'EntryNotFound' }, 'Entry not found');
    if (!isLfs(blob.path, blob.bytes.length)) return serveBytes('hub', req, res, blob, `"${blob.gitSha1}"`);
    send('hub', req, res, 302, {
      Location: `${cdn.origin}/repos/${blob.sha256.slice(0, 2)}/${blob.sha256}?download=${encodeURIComponent(blob.path)}`,
      'X-Linked-Etag': `"${blob.sha256}"`,
      'X-Linked-Size': blob.bytes.length,
      ETag: `"${blob.sha256}"`,
      'Content-Length': 0,
    });
  });

  return {
    origin: hub.origin,
    cdnOrigin: cdn.origin,
    log,
    close: async () => {
      await hub.close();
      await cdn.close();
    },
  };
}
