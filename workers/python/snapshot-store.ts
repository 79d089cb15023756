/**
 * Keeps the interpreter snapshot (python.worker.ts's `makeSnapshot`: the wasm memory of a started
 * interpreter with sympy and the symbolic solver imported, and the site-packages files it may still
 * open) in this browser's IndexedDB, so a returning visitor restores Python instead of starting it.
 *
 * One record per snapshot key (template.ts: Pyodide's version and wasm hash, the archive's hash, the
 * worker's own code); a record under any other key is deleted when a snapshot is looked up, so an
 * update of any of them invalidates it and frees its space. IndexedDB rather than the Cache API or the
 * origin private file system: the two buffers and their key are written in one transaction (there is
 * never half a snapshot to restore), it is there in dedicated workers and in frames on another site
 * (partitioned), and Chromium keeps large values as files of their own.
 *
 * Storage that is refused (an opaque origin, a private window, a full quota) is never an error for
 * the student: `load` answers undefined and `save` reports 'refused', and Python starts cold.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { PythonSnapshot } from '../contracts.ts';

export const SNAPSHOT_DB_NAME = 'math-tutor-python';

interface StoredSnapshot {
  key: string;
  savedAt: number;
  memory: ArrayBuffer;
  site: PythonSnapshot['site'];
}

interface SnapshotSchema extends DBSchema {
  snapshots: { key: string; value: StoredSnapshot };
}

export type SaveOutcome = { saved: true } | { saved: false; reason: string };

function reasonOf(error: unknown): string {
  return error instanceof DOMException ? `${error.name}: ${error.message}` : error instanceof Error ? error.message : String(error);
}

export class SnapshotStore {
  private db: Promise<IDBPDatabase<SnapshotSchema>> | undefined;
  /** Why storage was refused, once it was (open, read or write). */
  refused: string | undefined;

  constructor(private readonly name = SNAPSHOT_DB_NAME) {}

  private open(): Promise<IDBPDatabase<SnapshotSchema>> {
    this.db ??= (async () => {
      if (typeof indexedDB === 'undefined') throw new Error('this browser has no IndexedDB here');
      return openDB<SnapshotSchema>(this.name, 1, {
        upgrade(db) {
          db.createObjectStore('snapshots', { keyPath: 'key' });
        },
      });
    })();
    return this.db;
  }

  /** The snapshot kept under `key`, or undefined (none, or storage refused). Records under other keys are deleted. */
  async load(key: string): Promise<PythonSnapshot | undefined> {
    try {
      const db = await this.open();
      const record = await db.get('snapshots', key);
      void this.deleteOthers(db, key);
      return record ? { memory: record.memory, site: record.site } : undefined;
    } catch (error) {
      this.refused = reasonOf(error);
      return undefined;
    }
  }

  /** Keep `snapshot` under `key` (replacing any other); a refusal is reported, never thrown. */
  async save(key: string, snapshot: PythonSnapshot): Promise<SaveOutcome> {
    try {
      const db = await this.open();
      const tx = db.transaction('snapshots', 'readwrite');
      const others = (await tx.store.getAllKeys()).filter((k) => k !== key);
      await Promise.all([...others.map((k) => tx.store.delete(k)), tx.store.put({ key, savedAt: Date.now(), memory: snapshot.memory, site: snapshot.site }), tx.done]);
      return { saved: true };
    } catch (error) {
      this.refused = reasonOf(error);
      return { saved: false, reason: this.refused };
    }
  }

  /** Forget the snapshot under `key` (it did not restore). */
  async remove(key: string): Promise<void> {
    try {
      await (await this.open()).delete('snapshots', key);
    } catch {
      // Nothing kept, nothing to forget.
    }
  }

  /** Keys kept (tests, diagnostics). */
  async keys(): Promise<string[]> {
    try {
      return await (await this.open()).getAllKeys('snapshots');
    } catch {
      return [];
    }
  }

  private async deleteOthers(db: IDBPDatabase<SnapshotSchema>, key: string): Promise<void> {
    try {
      const tx = db.transaction('snapshots', 'readwrite');
      const others = (await tx.store.getAllKeys()).filter((k) => k !== key);
      await Promise.all([...others.map((k) => tx.store.delete(k)), tx.done]);
    } catch {
      // A stale record left behind is replaced by the next save.
    }
  }

  close(): void {
    void this.db?.then((db) => db.close(), () => {});
    this.db = undefined;
  }
}
