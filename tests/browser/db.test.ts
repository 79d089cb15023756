/** Settings and history in real IndexedDB. */
import { afterEach, describe, expect, it } from 'vitest';
import { deleteDB } from 'idb';
import {
  clearHistory, deleteHistoryEntry, exportHistory, importHistory, ImportError, listHistory, loadSettings, openTutorDb,
  saveHistoryEntry, saveSettings, type HistoryEntry, type TutorDb,
} from '../../web/lib/db.ts';

const NAME = 'math-tutor-test';
let db: TutorDb | undefined;

function entry(id: string, createdAt: number, status: HistoryEntry['status'] = 'solved'): HistoryEntry {
  return {
    id, createdAt, updatedAt: createdAt, question: `Problem ${id}`, modelId: 'demo', status, answer: '42',
    explanation: '3 of 8 solutions agree on 42.', solution: '<p>\nFinal Answer: $42$\n</p>', strategy: 'outlier-free-ovm', samples: 8, durationMs: 1200,
  };
}

afterEach(async () => {
  db?.close();
  db = undefined;
  await deleteDB(NAME);
});

describe('tutor database', () => {
  it('keeps settings across a reopen', async () => {
    db = await openTutorDb(NAME);
    expect(await loadSettings(db)).toBeUndefined();
    await saveSettings(db, {
      modelId: 'demo', samples: 4, greedy: true, temperature: 0.6, topP: 0.95, maxTokensPerSolution: 400,
      timeLimitMs: 60_000, codeTimeoutMs: 10_000, strategy: 'majority', earlyStop: true, seed: 1,
    });
    db.close();
    db = await openTutorDb(NAME);
    expect((await loadSettings(db))?.samples).toBe(4);
  });

  it('lists history newest first and marks a solve a crash interrupted', async () => {
    db = await openTutorDb(NAME);
    await saveHistoryEntry(db, entry('a', 1));
    await saveHistoryEntry(db, entry('b', 3, 'solving'));
    await saveHistoryEntry(db, entry('c', 2));
    const list = await listHistory(db);
    expect(list.map((e) => e.id)).toEqual(['b', 'c', 'a']);
    expect(list[0]!.status).toBe('interrupted');
  });

  it('deletes one entry or all', async () => {
    db = await openTutorDb(NAME);
    await saveHistoryEntry(db, entry('a', 1));
    await saveHistoryEntry(db, entry('b', 2));
    await deleteHistoryEntry(db, 'a');
    expect((await listHistory(db)).map((e) => e.id)).toEqual(['b']);
    await clearHistory(db);
    expect(await listHistory(db)).toEqual([]);
  });

  it('exports and imports history as JSON', async () => {
    db = await openTutorDb(NAME);
    await saveHistoryEntry(db, entry('a', 1));
    const json = await exportHistory(db);
    await clearHistory(db);
    expect(await importHistory(db, json)).toBe(1);
    expect((await listHistory(db))[0]?.question).toBe('Problem a');
  });

  it('refuses a damaged or foreign import and changes nothing', async () => {
    db = await openTutorDb(NAME);
    await saveHistoryEntry(db, entry('keep', 1));
    await expect(importHistory(db, 'not json')).rejects.toBeInstanceOf(ImportError);
    await expect(importHistory(db, '{"app":"other"}')).rejects.toThrow(/not a math tutor history export/);
    const future = JSON.stringify({ app: 'math-tutor', kind: 'history', version: 9, entries: [] });
    await expect(importHistory(db, future)).rejects.toThrow(/version 9/);
    const damaged = JSON.stringify({ app: 'math-tutor', kind: 'history', version: 1, entries: [entry('x', 5), { id: 3 }] });
    await expect(importHistory(db, damaged)).rejects.toThrow(/Entry 2/);
    expect((await listHistory(db)).map((e) => e.id)).toEqual(['keep']);
  });
});
