/**
 * A loopback imitation of the Hugging Face hub, for tests of the path from a registry entry's
 * `source` (`https://huggingface.co/<repo>/resolve/main/`) to the model. Each repository has one
 * commit (a sha1 over its files), reachable as `main` and as that commit id. The JSON shapes are
 * those huggingface_hub parses (`HfApi.model_info`, `list_repo_tree`, `RepoFile`, `RepoFolder`):
 *
 * - `GET /api/models/{org}/{name}/revision/{revision}`: `{ id, sha, siblings: [{ rfilename }] }`.
 * - `GET /api/models/{org}/{name}/tree/{revision}[/{folder}]`: one folder level, folders first:
 *   `{ type: "directory", oid, size: 0, path }` and `{ type: "file", oid (git blob id), size, path,
 *   lfs?: { oid (sha256), size, pointerSize } }`; pages of `pageSize` entries (1000 by default)
 *   linked by `Link: <...>; rel="next"`; an unknown folder is `404 EntryNotFound`.
 * - `GET /{org}/{name}/resolve/{revision}/{file}`: files kept in git (everything but `.onnx`,
 *   `.onnx_data*` and files over 10 MB) are answered directly (200, `ETag` = git blob id, `X-Repo-Commit`);
 *   LFS files with `302 Found` to a CDN-like URL on a second loopback server
 *   (`/repos/<sha256[0:2]>/<sha256>`, another port, so another origin), with `X-Linked-Etag` /
 *   `X-Linked-Size` as the hub sends for LFS files.
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
 * `{"corruptFile": "..."}` flips one byte in the next answer (CDN or hub) with that file's bytes;
 * `{"hideFile": "tokenizer.json"}` (or a list of paths) leaves those files out of the tree and the downloads until the next control;
 * `{"dropTreeField": "size"}` leaves that field out of every tree entry until the next control;
 * `{"pageSize": 2}` pages tree answers by that many entries (until the next control);
 * `{"fakeSizes": {"onnx/model_q4.onnx": 1761000000}}` lists those files in the tree with those sizes,
 * adding the ones the repository lacks (their bytes are not served), until the next control: a
 * repository of real-model sizes for the memory checks made before any download;
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
  /** Each repository's one commit id (what `main` resolves to). */
  commits: Record<string, string>;
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
  'Access-Control-Expose-Headers': 'Content-Length, Content-Range, Accept-Ranges, ETag, X-Linked-Etag, X-Linked-Size, X-Repo-Commit, X-Error-Code, Link, Location',
  'Cross-Origin-Resource-Policy': 'cross-origin',
  'Timing-Allow-Origin': '*',
};

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/** LFS as onnx-community's .gitattributes makes it (`*.onnx`, `*.onnx_data*`), and the hub's 10 MB limit for git files. */
function isLfs(path: string, bytes: number): boolean {
  return /\.onnx(_data(_\d+)?)?$/.test(path) || bytes > 10 * 1024 * 1024;
}

/** The LFS pointer git keeps in place of the file; the tree's `oid` of an LFS file is this pointer's blob id. */
const pointer = (blob: Blob) => `version https://git-lfs.github.com/spec/v1\noid sha256:${blob.sha256}\nsize ${blob.bytes.length}\n`;
const gitBlobId = (bytes: Uint8Array | string) => createHash('sha1').update(`blob ${Buffer.byteLength(bytes)}\0`).update(bytes).digest('hex');

/** `repos`: repository id ("org/name") -> folder whose files it serves (at revision "main"). */
export async function startHubServer(repos: Record<string, string>): Promise<HubServer> {
  const files = new Map<string, Map<string, Blob>>();
  const commits: Record<string, string> = {};
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
        gitSha1: gitBlobId(bytes),
      };
      map.set(path, blob);
      bySha.set(blob.sha256, blob);
    }
    files.set(repo, map);
    const commit = createHash('sha1');
    for (const [path, blob] of [...map].sort(([a], [b]) => a.localeCompare(b))) commit.update(`${path}\0${blob.sha256}\n`);
    commits[repo] = commit.digest('hex');
  }
  const log: HubRequest[] = [];
  let drop: { file: string; after: number } | undefined;
  let corrupt: string | undefined;
  let hidden = new Set<string>();
  let dropField: string | undefined;
  let pageSize = 1000;
  let fakeSizes: Record<string, number> = {};
  const visible = (repo: string) => new Map([...(files.get(repo) ?? [])].filter(([path]) => !hidden.has(path)));

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
    if (corrupt === blob.path && body.length > 0) {
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
        const body = JSON.parse(text) as { dropFile?: string; dropAfter?: number; corruptFile?: string; clearLog?: boolean; hideFile?: string | string[]; dropTreeField?: string; pageSize?: number; fakeSizes?: Record<string, number> };
        if (body.clearLog) log.length = 0;
        drop = body.dropFile ? { file: body.dropFile, after: body.dropAfter ?? 0 } : undefined;
        corrupt = body.corruptFile;
        hidden = new Set(body.hideFile === undefined ? [] : [body.hideFile].flat());
        dropField = body.dropTreeField;
        pageSize = body.pageSize ?? 1000;
        fakeSizes = body.fakeSizes ?? {};
        send('hub', req, res, 200, { 'Content-Type': 'text/plain' }, 'ok');
      });
      return;
    }
    const notFound = (code: string, text: string) => send('hub', req, res, 404, { 'Content-Type': 'application/json', 'X-Error-Code': code }, JSON.stringify({ error: text }));
    const api = /^\/api\/models\/([\w.-]+\/[\w.-]+)\/(revision|tree)\/([\w.-]+)(\/[^?]*)?(\?.*)?$/.exec(url);
    if (api) {
      const [, repo, kind, revision, rawFolder, query] = api as unknown as [string, string, string, string, string | undefined, string | undefined];
      if (!files.has(repo)) return notFound('RepoNotFound', 'Repository not found');
      if (revision !== 'main' && revision !== commits[repo]) return notFound('RevisionNotFound', 'Invalid rev id: ' + revision);
      const repoFiles = visible(repo);
      if (kind === 'revision') {
        return send('hub', req, res, 200, { 'Content-Type': 'application/json' }, JSON.stringify({ _id: commits[repo], id: repo, sha: commits[repo], private: false, siblings: [...repoFiles.keys()].map((rfilename) => ({ rfilename })) }));
      }
      const folder = decodeURIComponent((rawFolder ?? '').replace(/^\//, ''));
      const prefix = folder ? `${folder}/` : '';
      const listed = [...repoFiles.values()].map((b) => (fakeSizes[b.path] !== undefined ? { ...b, fakeSize: fakeSizes[b.path]! } : b));
      for (const [path, size] of Object.entries(fakeSizes)) {
        if (!repoFiles.has(path)) listed.push({ path, bytes: new Uint8Array(0), sha256: createHash('sha256').update(path).digest('hex'), gitSha1: gitBlobId(path), fakeSize: size });
      }
      const inside = listed.filter((b) => b.path.startsWith(prefix));
      if (folder && inside.length === 0) return notFound('EntryNotFound', `${folder} does not exist on "${revision}"`);
      const dirs = [...new Set(inside.map((b) => b.path.slice(prefix.length)).filter((rest) => rest.includes('/')).map((rest) => prefix + rest.slice(0, rest.indexOf('/'))))].sort();
      const entries: Array<Record<string, unknown>> = [
        ...dirs.map((path) => ({ type: 'directory', oid: createHash('sha1').update(`tree ${path}`).digest('hex'), size: 0, path })),
        ...inside
          .filter((b) => !b.path.slice(prefix.length).includes('/'))
          .sort((a, b) => a.path.localeCompare(b.path))
          .map((b) => {
            const size = 'fakeSize' in b ? (b.fakeSize as number) : b.bytes.length;
            return isLfs(b.path, size)
              ? { type: 'file', oid: gitBlobId(pointer(b)), size, path: b.path, lfs: { oid: b.sha256, size, pointerSize: pointer(b).length } }
              : { type: 'file', oid: b.gitSha1, size, path: b.path };
          }),
      ];
      if (dropField) for (const e of entries) delete e[dropField];
      const cursor = Number(new URLSearchParams(query ?? '').get('cursor') ?? 0);
      const page = entries.slice(cursor, cursor + pageSize);
      const headers: Record<string, string> = { 'Content-Type': 'application/json' };
      if (cursor + pageSize < entries.length) headers.Link = `<http://${req.headers.host}${url.replace(/\?.*$/, '')}?cursor=${cursor + pageSize}>; rel="next"`;
      return send('hub', req, res, 200, headers, JSON.stringify(page));
    }
    const m = /^\/([\w.-]+\/[\w.-]+)\/resolve\/([\w.-]+)\/([^?]+)(\?.*)?$/.exec(url);
    if (!m) return notFound('RepoNotFound', 'Repository not found');
    const [, repo, revision, path] = m as unknown as [string, string, string, string];
    if (!files.has(repo)) return notFound('RepoNotFound', 'Repository not found');
    if (revision !== 'main' && revision !== commits[repo]) return notFound('RevisionNotFound', 'Revision not found');
    const blob = visible(repo).get(decodeURIComponent(path));
    if (!blob) return notFound('EntryNotFound', 'Entry not found');
    res.setHeader('X-Repo-Commit', commits[repo]!);
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
    commits,
    log,
    close: async () => {
      await hub.close();
      await cdn.close();
    },
  };
}
