import { describe, expect, it } from 'vitest';
import { AppError, CancelledError, deserializeError, describeError, serializeError } from '../../workers/common/errors.ts';

describe('errors', () => {
  it('round-trips a named error with hint and details', () => {
    const original = new CancelledError('Solving was cancelled.', { hint: 'Start again when ready.', details: { jobId: 'j1' } });
    const rebuilt = deserializeError(serializeError(original));
    expect(rebuilt).toBeInstanceOf(CancelledError);
    expect(rebuilt).toBeInstanceOf(AppError);
    expect(rebuilt.message).toBe('Solving was cancelled.');
    expect((rebuilt as CancelledError).hint).toBe('Start again when ready.');
    expect((rebuilt as CancelledError).details).toEqual({ jobId: 'j1' });
  });

  it('keeps the name of errors it does not know', () => {
    const error = new TypeError('bad');
    const rebuilt = deserializeError(serializeError(error));
    expect(rebuilt.name).toBe('TypeError');
    expect(rebuilt.message).toBe('bad');
  });

  it('serializes non-errors as text', () => {
    expect(serializeError('plain')).toEqual({ name: 'Error', message: 'plain' });
  });

  it('describes an error with its hint for the user', () => {
    expect(describeError(new AppError('Out of space.', { hint: 'Free some storage.' }))).toBe('Out of space. Free some storage.');
  });
});

describe('error registration', () => {
  it('refuses a second class under a name already taken, and keeps the first', async () => {
    const { registerError, StorageFullError } = await import('../../workers/common/errors.ts');
    class Impostor extends AppError {
      override name = 'StorageFullError';
    }
    expect(() => registerError(Impostor)).toThrow(/already registered by another class/);
    expect(deserializeError(serializeError(new StorageFullError('full')))).toBeInstanceOf(StorageFullError);
    expect(() => registerError(StorageFullError)).not.toThrow(); // the same class again is the same fact
  });

  it('gives every importer the one StorageFullError', async () => {
    const common = await import('../../workers/common/errors.ts');
    const download = await import('../../workers/model/download.ts');
    const db = await import('../../web/lib/db.ts');
    expect(download.StorageFullError).toBe(common.StorageFullError);
    expect(db.StorageFullError).toBe(common.StorageFullError);
  });
});
