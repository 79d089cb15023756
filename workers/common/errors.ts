/**
 * Named errors whose messages tell the user what to do. They survive comlink:
 * `installErrorTransfer()` replaces comlink's "throw" handler so that name,
 * message, hint and details cross the thread and are rebuilt as the same class.
 */
import * as Comlink from 'comlink';
import type { SerializedError } from '../contracts.ts';

export class AppError extends Error {
  override name = 'AppError';
  /** What the user can do about it. */
  hint?: string;
  details?: Record<string, unknown>;
  constructor(message: string, options: { hint?: string; details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    if (options.hint !== undefined) this.hint = options.hint;
    if (options.details !== undefined) this.details = options.details;
  }
}

/** The user (or a newer request) cancelled the work. */
export class CancelledError extends AppError {
  override name = 'CancelledError';
}

/** A worker died (crash, out of memory, terminated) while calls were pending. */
export class WorkerCrashedError extends AppError {
  override name = 'WorkerCrashedError';
}

/** The browser lacks a feature the chosen path needs. */
export class UnsupportedError extends AppError {
  override name = 'UnsupportedError';
}

/** The GPU device was lost mid-run; `details.finished` holds the solutions finished before it. */
export class GpuDeviceLostError extends AppError {
  override name = 'GpuDeviceLostError';
}

/** No interpreter of its own could be set up for a solution, so its generated code is not run (workers/python/pool.ts). */
export class PythonIsolationError extends AppError {
  override name = 'PythonIsolationError';
}

/** The browser's storage is full: what was to be kept (a model file, the history) could not be saved. */
export class StorageFullError extends AppError {
  override name = 'StorageFullError';
}

type ErrorClass = new (message: string, options?: { hint?: string; details?: Record<string, unknown> }) => AppError;
const registry = new Map<string, ErrorClass>();

/**
 * Register an error class so that it is rebuilt with its own class after crossing a thread. A name is one
 * class: registering a second class under a name already taken throws (which class a caller got would
 * otherwise depend on import order).
 */
export function registerError(cls: ErrorClass): void {
  const name = new cls('').name;
  const taken = registry.get(name);
  if (taken && taken !== cls) throw new Error(`The error name ${name} is already registered by another class; define each error once and import it.`);
  registry.set(name, cls);
}
registerError(AppError);
registerError(CancelledError);
registerError(WorkerCrashedError);
registerError(UnsupportedError);
registerError(GpuDeviceLostError);
registerError(PythonIsolationError);
registerError(StorageFullError);

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    const out: SerializedError = { name: error.name, message: error.message };
    if (error.stack !== undefined) out.stack = error.stack;
    if (error instanceof AppError) {
      if (error.hint !== undefined) out.hint = error.hint;
      if (error.details !== undefined) out.details = error.details;
    }
    return out;
  }
  return { name: 'Error', message: String(error) };
}

export function deserializeError(data: SerializedError): Error {
  const cls = registry.get(data.name);
  const options: { hint?: string; details?: Record<string, unknown> } = {};
  if (data.hint !== undefined) options.hint = data.hint;
  if (data.details !== undefined) options.details = data.details;
  const error: Error = cls ? new cls(data.message, options) : Object.assign(new Error(data.message), { name: data.name });
  if (data.stack !== undefined) error.stack = data.stack;
  return error;
}

let installed = false;
/** Make thrown errors cross comlink with their class, hint and details. Call on both sides. */
export function installErrorTransfer(): void {
  if (installed) return;
  installed = true;
  // comlink keeps its "thrown" marker private: reuse its own test for it.
  const original = Comlink.transferHandlers.get('throw');
  if (!original) throw new Error('comlink has no "throw" transfer handler to replace');
  Comlink.transferHandlers.set('throw', {
    canHandle: original.canHandle,
    serialize: (wrapped: unknown) => [serializeError((wrapped as { value: unknown }).value), []],
    deserialize: (data: unknown) => {
      throw deserializeError(data as SerializedError);
    },
  });
}
installErrorTransfer();

/** Message for the UI: the error's message plus its hint. */
export function describeError(error: unknown): string {
  if (error instanceof AppError && error.hint) return `${error.message} ${error.hint}`;
  if (error instanceof Error) return error.message;
  return String(error);
}
