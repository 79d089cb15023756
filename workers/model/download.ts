/**
 * Downloads that survive a slow or flaky connection: each file is streamed into storage as
 * it arrives, resumed with an HTTP Range request after a drop (or after the tab was closed),
 * and verified by sha256 before use. A package counts as stored only when every file is
 * complete and verified (its marker is written last), so a failure never leaves a half
 * package that looks usable.
 *
 * Storage is the origin private file system (OPFS): files can be appended to chunk by chunk,
 * so a resume continues where the bytes end; Cache Storage keeps whole responses only. The
 * store is an interface so that tests and browsers without OPFS use the in-memory one.
 */
import type { ProgressEvent } from '../contracts.ts';
import { AppError, CancelledError, registerError, StorageFullError } from '../common/errors.ts';
import { progressEvent } from '../common/progress.ts';
import { formatBytes } from './memory-plan.ts';
import { ChecksumError, verifyFile, type Manifest, type PackageFile } from './manifest.ts';

export class DownloadError extends AppError {
  override name = 'DownloadError';
}
registerError(DownloadError);

export { StorageFullError };

/** Where package files are kept: one folder per package, files appended as bytes arrive. */
export interface FileStore {
  size(pkg: string, path: string): Promise<number>;
  append(pkg: string, path: string, bytes: Uint8Array): Promise<void>;
  read(pkg: string, path: string): Promise<Uint8Array>;
  remove(pkg: string, path?: string): Promise<void>;
  /** Package folders and the bytes each holds. */
  list(): Promise<Array<{ pkg: string; bytes: number }>>;
}

const MARKER = 'complete.json';

export interface DownloadOptions {
  fetch?: typeof fetch;
  onEvent?: (event: ProgressEvent) => void;
  signal?: AbortSignal;
  /** Attempts in a row without progress before giving up (default 5). */
  retries?: number;
  /** First wait between attempts, doubled each time (default 500 ms). */
  backoffMs?: number;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new CancelledError('The download was stopped.'));
    }, { once: true });
  });

function isQuotaError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'QuotaExceededError' || /quota/i.test(error.message));
}

/**
 * Download one file of a package into the store, resuming what is already there; returns
 * its bytes, verified by sha256. Bytes kept from an earlier version of the package fail the
 * check and are downloaded afresh, once.
 */
export async function downloadFile(baseUrl: string, manifest: Manifest, file: PackageFile, store: FileStore, options: DownloadOptions = {}): Promise<Uint8Array> {
  // Two downloads of one file into one store (the model loading while the model manager
  // downloads) would interleave their appends: a later caller waits until none is running,
  // then resumes from what was stored (nothing left to fetch when the other one finished).
  const key = `${manifest.id}/${file.path}`;
  const files = inFlight.get(store) ?? new Map<string, Promise<Uint8Array>>();
  inFlight.set(store, files);
  for (let running = files.get(key); running; running = files.get(key)) {
    await Promise.race([running.catch(() => undefined), aborted(options.signal)]);
  }
  // No await between the check above and this: the entry is ours alone.
  const work = downloadOnce(baseUrl, manifest, file, store, options);
  files.set(key, work);
  try {
    return await work;
  } finally {
    if (files.get(key) === work) files.delete(key);
  }
}

/** Rejects with CancelledError when `signal` aborts; never settles otherwise. */
function aborted(signal: AbortSignal | undefined): Promise<never> {
  return new Promise<never>((_, reject) => {
    const stop = () => reject(new CancelledError('The download was stopped.'));
    if (signal?.aborted) stop();
    else signal?.addEventListener('abort', stop, { once: true });
  });
}

const inFlight = new WeakMap<FileStore, Map<string, Promise<Uint8Array>>>();

async function downloadOnce(baseUrl: string, manifest: Manifest, file: PackageFile, store: FileStore, options: DownloadOptions): Promise<Uint8Array> {
  const had = await store.size(manifest.id, file.path);
  try {
    return await fetchVerified(baseUrl, manifest, file, store, options);
  } catch (error) {
    if (!(error instanceof ChecksumError) || had === 0) throw error;
    return fetchVerified(baseUrl, manifest, file, store, options);
  }
}

async function fetchVerified(baseUrl: string, manifest: Manifest, file: PackageFile, store: FileStore, options: DownloadOptions): Promise<Uint8Array> {
  const doFetch = options.fetch ?? fetch;
  const retries = options.retries ?? 5;
  let have = await store.size(manifest.id, file.path);
  if (have > file.bytes) {
    await store.remove(manifest.id, file.path);
    have = 0;
  }
  let failures = 0;
  const started = performance.now();
  const startBytes = have;
  // Chunks are kept in batches of up to 4 MiB (fewer, larger writes); a batch is written
  // before any retry, so a drop loses nothing that arrived.
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const keep = async () => {
    if (pendingBytes === 0) return;
    const batch = new Uint8Array(pendingBytes);
    let at = 0;
    for (const c of pending) {
      batch.set(c, at);
      at += c.length;
    }
    pending = [];
    pendingBytes = 0;
    try {
      await store.append(manifest.id, file.path, batch);
    } catch (error) {
      if (!isQuotaError(error)) throw error;
      throw new StorageFullError(`The browser's storage is full: ${file.path} of "${manifest.title}" could not be kept.`, {
        hint: 'Delete other models in the model manager, or free disk space, then try again.',
        details: { file: file.path },
      });
    }
  };
  while (have < file.bytes) {
    if (options.signal?.aborted) throw new CancelledError('The download was stopped.');
    const before = have;
    const csp = watchConnectRefusals();
    try {
      const response = await doFetch(`${baseUrl}${file.path}`, { headers: have > 0 ? { Range: `bytes=${have}-` } : {}, signal: options.signal ?? null });
      if (have > 0 && response.status === 200) {
        // The server ignored the Range header: start over.
        await store.remove(manifest.id, file.path);
        have = 0;
      } else if (response.status === 206) {
        const start = Number(/bytes (\d+)-/.exec(response.headers.get('Content-Range') ?? '')?.[1]);
        if (start !== have) throw new DownloadError(`The server resumed ${file.path} at byte ${start}, not ${have}.`);
      } else if (!response.ok) {
        throw new DownloadError(`Could not download ${file.path}: the server answered ${response.status}.`, { hint: 'Check the connection and try again.' });
      }
      if (!response.body) throw new DownloadError(`Could not download ${file.path}: the answer had no body.`);
      const reader = response.body.getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const room = file.bytes - have;
        const chunk = value.length > room ? value.subarray(0, room) : value;
        pending.push(chunk.slice());
        pendingBytes += chunk.length;
        have += chunk.length;
        if (pendingBytes >= 4 * 1024 * 1024) await keep();
        options.onEvent?.(progressEvent(`Downloading ${file.path}`, have, file.bytes, started, have - startBytes));
        if (have >= file.bytes) {
          await reader.cancel().catch(() => {});
          break;
        }
      }
      await keep();
      if (have < file.bytes) throw new DownloadError(`The connection closed after ${have} of ${file.bytes} bytes of ${file.path}.`);
    } catch (error) {
      if (!(error instanceof StorageFullError)) await keep();
      // The page's own policy refused the host (a redirect target it does not list): no retry helps.
      const refused = error instanceof TypeError ? await csp.refused() : undefined;
      if (refused) {
        // The browser names the URL asked for, not where it redirected (a cross-origin redirect target is not disclosed).
        throw new DownloadError(`Could not download ${file.path}: this site's Content-Security-Policy (connect-src) refused the connection to ${refused}, or to the host it redirects to.`, {
          hint: `The site's deployer must allow that host in the Content-Security-Policy; the browser's console names a redirect target ("Refused to connect to ..."), which goes into REDIRECT_HOSTS in workers/model/registry.ts (README, "Hosting").`,
          details: { file: file.path, host: refused },
        });
      }
      if (error instanceof StorageFullError || error instanceof CancelledError || options.signal?.aborted) {
        throw options.signal?.aborted && !(error instanceof StorageFullError) ? new CancelledError('The download was stopped.') : error;
      }
      failures = have > before ? 1 : failures + 1;
      if (failures > retries) {
        throw new DownloadError(`Could not download ${file.path} of "${manifest.title}" after ${retries} retries (${formatBytes(have)} of ${formatBytes(file.bytes)} kept).`, {
          hint: 'Check the connection; the download resumes where it stopped.',
          details: { file: file.path, cause: String(error) },
        });
      }
      await sleep((options.backoffMs ?? 500) * 2 ** (failures - 1), options.signal);
    } finally {
      csp.stop();
    }
  }
  try {
    const bytes = await store.read(manifest.id, file.path);
    await verifyFile(manifest, file.path, bytes);
    return bytes;
  } catch (error) {
    // A damaged file is never kept: the next attempt downloads it afresh.
    await store.remove(manifest.id, file.path);
    throw error;
  }
}

/** Bytes still to download, and whether they fit the browser's storage quota. */
export async function checkRoom(manifest: Manifest, paths: string[], store: FileStore, estimate?: () => Promise<StorageEstimate>): Promise<{ missing: number; free: number | undefined }> {
  let missing = 0;
  for (const f of manifest.files.filter((x) => paths.includes(x.path))) missing += f.bytes - Math.min(f.bytes, await store.size(manifest.id, f.path));
  const e = await estimate?.().catch(() => undefined);
  const free = e?.quota !== undefined ? e.quota - (e.usage ?? 0) : undefined;
  if (free !== undefined && missing > free) {
    throw new StorageFullError(`"${manifest.title}" needs ${formatBytes(missing)} more storage, but the browser allows this site ${formatBytes(free)} more.`, {
      hint: 'Delete other models in the model manager, or free disk space.',
      details: { missing, free },
    });
  }
  return { missing, free };
}

/**
 * Download the files a device needs (e.g. the tokenizer, configs and one graph) into the store;
 * marks the package complete only when all of them are verified.
 */
export async function downloadPackage(baseUrl: string, manifest: Manifest, paths: string[], store: FileStore, options: DownloadOptions & { estimate?: () => Promise<StorageEstimate>; persist?: () => Promise<boolean> } = {}): Promise<void> {
  const root = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  await store.remove(manifest.id, MARKER);
  await checkRoom(manifest, paths, store, options.estimate);
  await options.persist?.().catch(() => false);
  for (const path of paths) {
    const file = manifest.files.find((f) => f.path === path);
    if (!file) throw new DownloadError(`The model "${manifest.id}" does not list a file ${path}.`);
    await downloadFile(root, manifest, file, store, options);
  }
  await store.append(manifest.id, MARKER, new TextEncoder().encode(JSON.stringify({ version: manifest.version, files: paths })));
}

/** True when a package was stored completely and verified. */
export async function isStored(store: FileStore, pkg: string): Promise<boolean> {
  return (await store.size(pkg, MARKER)) > 0;
}

/** Keeps files in memory (tests; browsers without OPFS, where nothing survives a reload). */
export class MemoryStore implements FileStore {
  readonly files = new Map<string, Uint8Array[]>();
  /** Total bytes allowed; appending beyond throws a QuotaExceededError, like a full disk. */
  constructor(private readonly capacity = Infinity) {}
  private used(): number {
    let n = 0;
    for (const chunks of this.files.values()) for (const c of chunks) n += c.length;
    return n;
  }
  async size(pkg: string, path: string): Promise<number> {
    return (this.files.get(`${pkg}/${path}`) ?? []).reduce((n, c) => n + c.length, 0);
  }
  async append(pkg: string, path: string, bytes: Uint8Array): Promise<void> {
    if (this.used() + bytes.length > this.capacity) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    const key = `${pkg}/${path}`;
    this.files.set(key, [...(this.files.get(key) ?? []), bytes.slice()]);
  }
  async read(pkg: string, path: string): Promise<Uint8Array> {
    const chunks = this.files.get(`${pkg}/${path}`) ?? [];
    const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
  async remove(pkg: string, path?: string): Promise<void> {
    for (const key of [...this.files.keys()]) if (path ? key === `${pkg}/${path}` : key.startsWith(`${pkg}/`)) this.files.delete(key);
  }
  async list(): Promise<Array<{ pkg: string; bytes: number }>> {
    const sizes = new Map<string, number>();
    for (const [key, chunks] of this.files) {
      const pkg = key.slice(0, key.indexOf('/'));
      sizes.set(pkg, (sizes.get(pkg) ?? 0) + chunks.reduce((n, c) => n + c.length, 0));
    }
    return [...sizes].map(([pkg, bytes]) => ({ pkg, bytes }));
  }
}

/** The OPFS store, or undefined where the browser refuses one (no OPFS, a frame on another site, some private modes). */
export async function openOpfsStore(): Promise<OpfsStore | undefined> {
  if (typeof navigator === 'undefined' || typeof navigator.storage?.getDirectory !== 'function') return undefined;
  try {
    await navigator.storage.getDirectory();
    return new OpfsStore();
  } catch {
    return undefined;
  }
}

/** The origin private file system: `models/<package>/<path with / as __>`. */
export class OpfsStore implements FileStore {
  private async dir(pkg: string, create: boolean): Promise<FileSystemDirectoryHandle | undefined> {
    try {
      const root = await (await navigator.storage.getDirectory()).getDirectoryHandle('models', { create: true });
      return await root.getDirectoryHandle(pkg, { create });
    } catch {
      return undefined;
    }
  }
  private static name(path: string): string {
    return path.replaceAll('/', '__');
  }
  private async file(pkg: string, path: string): Promise<File | undefined> {
    try {
      return await (await (await this.dir(pkg, false))?.getFileHandle(OpfsStore.name(path)))?.getFile();
    } catch {
      return undefined;
    }
  }
  async size(pkg: string, path: string): Promise<number> {
    return (await this.file(pkg, path))?.size ?? 0;
  }
  async append(pkg: string, path: string, bytes: Uint8Array): Promise<void> {
    const handle = await (await this.dir(pkg, true))!.getFileHandle(OpfsStore.name(path), { create: true });
    // In a worker: write in place at the end (createWritable would copy the file first).
    const sync = (handle as FileSystemFileHandle & { createSyncAccessHandle?: () => Promise<{ getSize(): number; write(b: Uint8Array, o: { at: number }): number; flush(): void; close(): void }> }).createSyncAccessHandle;
    if (sync) {
      const access = await sync.call(handle);
      try {
        access.write(bytes, { at: access.getSize() });
        access.flush();
      } finally {
        access.close();
      }
      return;
    }
    const writable = await handle.createWritable({ keepExistingData: true });
    try {
      await writable.seek((await handle.getFile()).size);
      await writable.write(bytes as Uint8Array<ArrayBuffer>);
      await writable.close();
    } catch (error) {
      await writable.abort().catch(() => {});
      throw error;
    }
  }
  async read(pkg: string, path: string): Promise<Uint8Array> {
    const file = await this.file(pkg, path);
    return new Uint8Array(file ? await file.arrayBuffer() : new ArrayBuffer(0));
  }
  async remove(pkg: string, path?: string): Promise<void> {
    const root = await (await navigator.storage.getDirectory()).getDirectoryHandle('models', { create: true });
    if (!path) return root.removeEntry(pkg, { recursive: true }).catch(() => {});
    await (await this.dir(pkg, false))?.removeEntry(OpfsStore.name(path)).catch(() => {});
  }
  async list(): Promise<Array<{ pkg: string; bytes: number }>> {
    const root = await (await navigator.storage.getDirectory()).getDirectoryHandle('models', { create: true });
    const out: Array<{ pkg: string; bytes: number }> = [];
    for await (const [pkg, handle] of root as unknown as AsyncIterable<[string, FileSystemHandle]>) {
      if (handle.kind !== 'directory') continue;
      let bytes = 0;
      for await (const [, f] of handle as unknown as AsyncIterable<[string, FileSystemHandle]>) if (f.kind === 'file') bytes += (await (f as FileSystemFileHandle).getFile()).size;
      out.push({ pkg, bytes });
    }
    return out;
  }
}

/**
 * Connections the page's (or worker's) Content-Security-Policy refused while a download ran, from
 * `securitypolicyviolation` events: fetch itself only says "Failed to fetch". `refused()` waits a
 * moment for the event (it is queued as a task, possibly after fetch rejects) and gives the origin.
 */
function watchConnectRefusals(): { refused: () => Promise<string | undefined>; stop: () => void } {
  let blocked: string | undefined;
  const target = globalThis as unknown as { addEventListener?: typeof addEventListener; removeEventListener?: typeof removeEventListener };
  const listener = (event: Event) => {
    const e = event as SecurityPolicyViolationEvent;
    if (!e.effectiveDirective?.startsWith('connect-src')) return;
    try {
      blocked = new URL(e.blockedURI).origin;
    } catch {
      blocked = e.blockedURI;
    }
  };
  target.addEventListener?.('securitypolicyviolation', listener);
  return {
    refused: async () => {
      if (!target.addEventListener) return undefined;
      for (let i = 0; i < 10 && blocked === undefined; i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
      return blocked;
    },
    stop: () => target.removeEventListener?.('securitypolicyviolation', listener),
  };
}
