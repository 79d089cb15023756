/**
 * The tutor's local data in IndexedDB (through idb): settings and the history of
 * solved problems. Nothing here leaves the device. Upgrades are explicit steps.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { AppError, registerError, StorageFullError } from '../../workers/common/errors.ts';
import type { SolveSettings } from '../../workers/contracts.ts';

export const DB_NAME = 'math-tutor';
export const DB_VERSION = 2;

export interface HistoryEntry {
  id: string;
  createdAt: number;
  updatedAt: number;
  question: string;
  modelId: string;
  /** 'solving' is written when a solve starts, so a crash leaves a trace ('interrupted' on the next load). */
  status: 'solving' | 'solved' | 'not-sure' | 'no-answer' | 'interrupted' | 'cancelled' | 'failed';
  answer: string | null;
  explanation: string;
  /** The chosen solution's text, as shown in the answer view. */
  solution: string;
  strategy: string;
  samples: number;
  durationMs: number;
}

export interface StoredSettings extends SolveSettings {
  modelId: string;
  /** Models whose recommendation the student declined ("Not now"): not offered again on this device. */
  declinedModels?: string[];
}

interface TutorSchema extends DBSchema {
  settings: { key: 'settings'; value: StoredSettings };
  history: { key: string; value: HistoryEntry; indexes: { 'by-created': number } };
}

export type TutorDb = IDBPDatabase<TutorSchema>;

export { StorageFullError };

export function openTutorDb(name = DB_NAME): Promise<TutorDb> {
  return openDB<TutorSchema>(name, DB_VERSION, {
    upgrade(db, oldVersion, _newVersion, transaction) {
      if (oldVersion < 1) {
        db.createObjectStore('settings');
        const history = db.createObjectStore('history', { keyPath: 'id' });
        history.createIndex('by-created', 'createdAt');
      }
      if (oldVersion === 1) {
        // Version 1's default strategy was outlier-free OVM; the default is now each package's measured
        // best ('package'). Settings still on the old default follow the new one.
        const store = transaction.objectStore('settings');
        void store.get('settings').then((settings) => {
          if (settings?.strategy === 'outlier-free-ovm') void store.put({ ...settings, strategy: 'package' }, 'settings');
        });
      }
    },
  });
}

function isQuotaError(error: unknown): boolean {
  return error instanceof DOMException && (error.name === 'QuotaExceededError' || error.code === 22);
}

async function guardQuota<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isQuotaError(error)) {
      throw new StorageFullError(`The browser's storage is full, so ${what} could not be saved.`, {
        hint: 'Delete old history or cached models in the model manager, then try again.',
      });
    }
    throw error;
  }
}

export async function loadSettings(db: TutorDb): Promise<StoredSettings | undefined> {
  return db.get('settings', 'settings');
}

export async function saveSettings(db: TutorDb, settings: StoredSettings): Promise<void> {
  await guardQuota('your settings', () => db.put('settings', settings, 'settings'));
}

export async function saveHistoryEntry(db: TutorDb, entry: HistoryEntry): Promise<void> {
  await guardQuota('this problem', () => db.put('history', entry));
}

/** Newest first. Entries left 'solving' by a crash or a closed tab are reported as 'interrupted'. */
export async function listHistory(db: TutorDb): Promise<HistoryEntry[]> {
  const entries = await db.getAllFromIndex('history', 'by-created');
  return entries.reverse().map((e) => (e.status === 'solving' ? { ...e, status: 'interrupted' } : e));
}

export async function deleteHistoryEntry(db: TutorDb, id: string): Promise<void> {
  await db.delete('history', id);
}

export async function clearHistory(db: TutorDb): Promise<void> {
  await db.clear('history');
}

export interface HistoryExport {
  app: 'math-tutor';
  kind: 'history';
  version: 1;
  exportedAt: string;
  entries: HistoryEntry[];
}

export async function exportHistory(db: TutorDb): Promise<string> {
  const data: HistoryExport = {
    app: 'math-tutor',
    kind: 'history',
    version: 1,
    exportedAt: new Date().toISOString(),
    entries: await listHistory(db),
  };
  return JSON.stringify(data, null, 2);
}

export class ImportError extends AppError {
  override name = 'ImportError';
}
registerError(ImportError);

const STATUSES = new Set(['solving', 'solved', 'not-sure', 'no-answer', 'interrupted', 'cancelled', 'failed']);

function validEntry(value: unknown): value is HistoryEntry {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Record<string, unknown>;
  return (
    typeof e.id === 'string' && e.id.length > 0 && e.id.length < 200 &&
    typeof e.createdAt === 'number' && typeof e.question === 'string' && e.question.length <= 20_000 &&
    typeof e.status === 'string' && STATUSES.has(e.status) &&
    (e.answer === null || typeof e.answer === 'string') && typeof e.solution === 'string'
  );
}

/** Adds the entries of an export to the history (same id: replaced). Returns how many were imported. */
export async function importHistory(db: TutorDb, json: string): Promise<number> {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    throw new ImportError('This file is not JSON.', { hint: 'Choose a file made with "Export history".' });
  }
  const d = data as Partial<HistoryExport>;
  if (d?.app !== 'math-tutor' || d.kind !== 'history' || !Array.isArray(d.entries)) {
    throw new ImportError('This file is not a math tutor history export.', { hint: 'Choose a file made with "Export history".' });
  }
  if (d.version !== 1) {
    throw new ImportError(`This history export has version ${String(d.version)}, which this version of the tutor cannot read.`, {
      hint: 'Update the tutor and import it again.',
    });
  }
  const bad = d.entries.findIndex((e) => !validEntry(e));
  if (bad >= 0) throw new ImportError(`Entry ${bad + 1} of the file is damaged; nothing was imported.`);
  const entries = d.entries as HistoryEntry[];
  await guardQuota('the imported history', async () => {
    const tx = db.transaction('history', 'readwrite');
    await Promise.all([...entries.map((e) => tx.store.put({ ...e, updatedAt: e.updatedAt ?? e.createdAt })), tx.done]);
  });
  return entries.length;
}
