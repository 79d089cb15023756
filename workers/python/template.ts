/**
 * The one interpreter snapshot a page's Python starts from: Pyodide + sympy + the runner + the app's own
 * imports (the symbolic solver), taken before any other code ran. The trusted interpreter and every
 * solution's interpreter restore from it. It comes from this device's storage when a snapshot under the
 * same key is kept there (snapshot-store.ts), else from one cold start on this page, which is then kept
 * for the next visit. The key holds everything the snapshot depends on: Pyodide's version and wasm hash,
 * the sympy archive's hash (the symbolic solver's modules travel in it), the runner's source, the worker
 * script's URL (hashed by the build, so any change of the worker's code is a new key) and the imports.
 */
import type { PythonRuntimeFiles, PythonSnapshot, PythonStatus } from '../contracts.ts';
import { sha256Hex } from '../common/hash.ts';
import { pythonRuntime, type PythonRuntime } from './files.ts';
import RUNNER from './runner.py?raw';
import { SandboxWorker } from './sandbox.ts';
import type { SnapshotStore } from './snapshot-store.ts';

export interface Template {
  files: PythonRuntimeFiles;
  snapshot: PythonSnapshot;
  key: string;
}

/** Makes the snapshot from cold-started files: a worker of the caller's (the trusted interpreter's own start), or a throwaway one. */
export type SnapshotMaker = (files: PythonRuntimeFiles, imports: string) => Promise<PythonSnapshot>;

export interface TemplateOptions {
  /** Where public/pyodide is served (default: the app's /pyodide/). */
  baseUrl?: string;
  /** The app's own Python imported before the snapshot (e.g. the symbolic solver's modules). */
  imports?: string;
  /** Where snapshots are kept between visits; none: made on every page. */
  store?: SnapshotStore | null;
}

const WORKER_URL = new URL('./python.worker.ts', import.meta.url).href;

export async function snapshotKey(files: PythonRuntimeFiles, imports: string): Promise<string> {
  const code = await sha256Hex(new TextEncoder().encode(`${RUNNER}\n${WORKER_URL}\n${imports}`));
  const { pyodide, wasmSha256, archiveSha256 } = files.identity;
  return `pyodide ${pyodide} wasm ${wasmSha256.slice(0, 16)} archive ${archiveSha256.slice(0, 16)} code ${code.slice(0, 16)}`;
}

/** A throwaway worker that starts cold, snapshots and is terminated. */
const throwawayMaker: SnapshotMaker = async (files, imports) => {
  let snapshot: PythonSnapshot | undefined;
  const maker = new SandboxWorker('Python (snapshot)', async (api) => {
    snapshot = (await api.init(files, null, null, { imports, makeSnapshot: true })).snapshot;
  });
  try {
    await maker.ensure();
  } finally {
    maker.dispose();
  }
  if (!snapshot) throw new Error('the interpreter returned no snapshot');
  return snapshot;
};

export class PythonTemplate {
  private current: Promise<Template> | undefined;
  readonly imports: string;
  readonly baseUrl: string;
  /** Where the snapshot came from. */
  source: PythonStatus['template'] = 'none';
  storage: PythonStatus['storage'] = 'pending';
  /** ms spent looking the snapshot up in storage (reading it included), on this page. */
  lookupMs: number | undefined;
  /** Settles once a snapshot made on this page is kept (or refused). */
  saved: Promise<void> = Promise.resolve();

  constructor(private readonly options: TemplateOptions = {}) {
    this.baseUrl = options.baseUrl ?? `${import.meta.env?.BASE_URL ?? '/'}pyodide/`;
    this.imports = options.imports ?? '';
  }

  runtime(): Promise<PythonRuntime> {
    return pythonRuntime(this.baseUrl);
  }

  get storageError(): string | undefined {
    return this.options.store?.refused;
  }

  /**
   * The snapshot: kept on this device, or made by `maker` (the first caller's), or by a throwaway worker.
   * Callers at the same time share one.
   */
  get(maker: SnapshotMaker = throwawayMaker): Promise<Template> {
    if (this.current) return this.current;
    const current = (async () => {
      const runtime = await this.runtime();
      const { files } = runtime;
      const key = await snapshotKey(files, this.imports);
      const store = this.options.store;
      const lookup = performance.now();
      const kept = store ? await store.load(key) : undefined;
      if (store) this.lookupMs = Math.round(performance.now() - lookup);
      if (kept) {
        this.source = 'stored';
        this.storage = 'kept';
        return { files, snapshot: kept, key };
      }
      // Only a cold start needs the sympy archive: a restore finds sympy's files in the snapshot.
      const snapshot = await maker(await runtime.withArchive(), this.imports);
      this.source = 'made';
      if (store) {
        this.storage = 'pending';
        this.saved = store.save(key, snapshot).then((outcome) => void (this.storage = outcome.saved ? 'saved' : 'refused'));
      } else {
        this.storage = 'off';
      }
      return { files, snapshot, key };
    })();
    this.current = current;
    current.catch(() => {
      if (this.current === current) this.current = undefined;
    });
    return current;
  }

  /** `template` did not restore: the next `get` makes a new one, and storage forgets it. */
  invalidate(template: Template): void {
    const current = this.current;
    void current?.then((t) => {
      if (t !== template) return;
      if (this.current === current) this.current = undefined;
      void this.options.store?.remove(template.key);
    }, () => {});
  }

  /** The files a restore needs: sympy's files travel in the snapshot, and a compiled module replaces the wasm bytes. */
  static restoreFiles(files: PythonRuntimeFiles): PythonRuntimeFiles {
    return { ...files, packages: new ArrayBuffer(0), ...(files.module ? { wasm: new ArrayBuffer(0) } : {}) };
  }
}
