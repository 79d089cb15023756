/**
 * The interpreter snapshot kept between visits, in real Chromium with real IndexedDB and real Pyodide:
 * a second visit (a new solver service: new interpreters, new template, the same database) restores the
 * kept snapshot instead of starting Python cold; a changed key (another archive) is not restored and
 * replaces the kept one; refused storage (IndexedDB refused as in an opaque-origin frame, or a full quota)
 * falls back to a cold start and still answers, with no error.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SolverService } from '../../workers/solver/service.ts';
import { TrustedPython } from '../../workers/python/trusted.ts';
import { PythonTemplate } from '../../workers/python/template.ts';
import { SnapshotStore } from '../../workers/python/snapshot-store.ts';
import { solveSymbolic, SYMBOLIC_IMPORT } from '../../workers/symbolic/solver.ts';
import type { PythonStatus, SolveRequest } from '../../workers/contracts.ts';

const DB = 'python-snapshot-store-test';
const PROBLEM = 'Solve for x: 3x - 7 = 2x + 5';
const disposers: Array<() => void> = [];
afterEach(() => {
  for (const dispose of disposers.splice(0)) dispose();
});

function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error);
  });
}

const request = (question: string): SolveRequest => ({
  jobId: `job-${Math.random()}`,
  question,
  modelId: 'demo-mario-tiny',
  settings: { samples: 1, greedy: false, temperature: 0.7, topP: 0.95, maxTokensPerSolution: 64, timeLimitMs: 60_000, codeTimeoutMs: 1_500, strategy: 'package', earlyStop: false, seed: 1 },
});

async function visit(): Promise<{ service: SolverService; answer: string | null; method: string; ms: number; status: PythonStatus }> {
  // A generous symbolic time limit: on a loaded machine the rules' 8 s would hand the problem to the model, which is not what is tested here.
  const service = new SolverService({ modelsBaseUrl: '/models/', pythonPoolSize: 1, snapshotDb: DB, symbolicTimeoutMs: 60_000 });
  disposers.push(() => service.dispose());
  const started = performance.now();
  const result = await service.solve(request(PROBLEM), () => {});
  const ms = performance.now() - started;
  return { service, answer: result.method === 'symbolic' ? result.solution.answer : null, method: result.method, ms, status: await service.pythonStatus() };
}

async function settled(service: SolverService): Promise<PythonStatus> {
  await expect.poll(async () => (await service.pythonStatus()).storage, { timeout: 60_000, interval: 200 }).not.toBe('pending');
  return service.pythonStatus();
}

/** The trusted interpreter alone on `template`, answering the symbolic problem. */
async function trustedAnswer(template: PythonTemplate): Promise<string | undefined> {
  const trusted = new TrustedPython({ template });
  disposers.push(() => trusted.dispose());
  const outcome = await solveSymbolic(PROBLEM, (code, options) => trusted.run(code, options), 60_000);
  return outcome.status === 'solved' ? outcome.answer : `${outcome.status}: ${'message' in outcome ? outcome.message : ''}`;
}

describe('interpreter snapshot kept between visits (Chromium, IndexedDB)', () => {
  it('a second visit restores the kept snapshot and answers at once', async () => {
    await deleteDatabase(DB);
    const first = await visit();
    expect(first.method).toBe('symbolic');
    expect(first.answer).toBe('12');
    expect(first.status.template).toBe('made');
    expect(first.status.trustedStarts).toEqual({ cold: 1, restored: 0 });
    expect((await settled(first.service)).storage).toBe('saved');
    expect(await new SnapshotStore(DB).keys()).toHaveLength(1);
    first.service.dispose();

    const second = await visit();
    expect(second.method).toBe('symbolic');
    expect(second.answer).toBe('12');
    expect(second.status).toMatchObject({ template: 'stored', storage: 'kept', trustedStarts: { cold: 0, restored: 1 } });
    // The pool restores the same kept snapshot: its code runs, with no failed restore.
    await second.service.warm('demo-mario-tiny', () => {});
    const status = await second.service.pythonStatus();
    expect(status.pool.interpreterStarts).toBeGreaterThanOrEqual(1);
    expect(status.pool.restoreFailures).toBe(0);
    expect(status.trustedStarts.cold).toBe(0);
    console.log(`first visit to the symbolic answer ${Math.round(first.ms)} ms (cold, ${JSON.stringify(first.status.timings)}), second ${Math.round(second.ms)} ms (restored, ${JSON.stringify(second.status.timings)})`);
  }, 240_000);

  it('a changed key (another sympy archive) is not restored, and replaces the kept snapshot', async () => {
    const store = new SnapshotStore(DB);
    const [before] = await store.keys();
    expect(before).toBeTruthy();
    class UpdatedArchive extends PythonTemplate {
      override async runtime() {
        const runtime = await super.runtime();
        const identity = { ...runtime.files.identity, archiveSha256: 'f'.repeat(64) };
        return { files: { ...runtime.files, identity }, withArchive: async () => ({ ...(await runtime.withArchive()), identity }) };
      }
    }
    const template = new UpdatedArchive({ imports: SYMBOLIC_IMPORT, store });
    expect(await trustedAnswer(template)).toBe('12');
    expect(template.source).toBe('made');
    await template.saved;
    expect(template.storage).toBe('saved');
    const { snapshot } = await template.get();
    console.log(`snapshot kept: ${(snapshot.memory.byteLength / 2 ** 20).toFixed(1)} MB of wasm memory + ${(snapshot.site.bytes.byteLength / 2 ** 20).toFixed(1)} MB of site-packages files`);
    const after = await store.keys();
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before);
    // And back: the original key is gone too, so the original archive starts cold again.
    const original = new PythonTemplate({ imports: SYMBOLIC_IMPORT, store: new SnapshotStore(DB) });
    expect(await trustedAnswer(original)).toBe('12');
    expect(original.source).toBe('made');
  }, 240_000);

  it('storage refused (IndexedDB unavailable, as in an opaque-origin frame): a cold start, no error, still answers', async () => {
    const open = IDBFactory.prototype.open;
    IDBFactory.prototype.open = function () {
      throw new DOMException('Access to the IndexedDB API is denied in this context.', 'SecurityError');
    };
    try {
      const template = new PythonTemplate({ imports: SYMBOLIC_IMPORT, store: new SnapshotStore(DB) });
      expect(await trustedAnswer(template)).toBe('12');
      await template.saved;
      expect(template.source).toBe('made');
      expect(template.storage).toBe('refused');
      expect(template.storageError).toMatch(/SecurityError/);
    } finally {
      IDBFactory.prototype.open = open;
    }
  }, 240_000);

  it('a full quota while saving: a cold start, no error, still answers, nothing half-kept', async () => {
    await deleteDatabase(DB);
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      if (this.name === 'snapshots') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return put.apply(this, args);
    };
    try {
      const template = new PythonTemplate({ imports: SYMBOLIC_IMPORT, store: new SnapshotStore(DB) });
      expect(await trustedAnswer(template)).toBe('12');
      await template.saved;
      expect(template.storage).toBe('refused');
      expect(template.storageError).toMatch(/QuotaExceededError/);
    } finally {
      IDBObjectStore.prototype.put = put;
    }
    expect(await new SnapshotStore(DB).keys()).toEqual([]);
  }, 240_000);
});
