/**
 * The trusted interpreter: a sandbox worker of its own for the app's own Python (the
 * grader behind "check my answer", the symbolic solver, answer checking). Generated
 * code never runs here, so nothing a solution does can change this interpreter's
 * modules, settings or results. Each call runs in a fresh namespace, which is
 * dropped afterwards. A time limit or crash terminates the worker; the next call
 * starts a fresh one.
 */
import type { PythonRunResult } from '../contracts.ts';
import { Serial } from '../common/serial.ts';
import { pythonFiles } from './files.ts';
import { DEFAULT_MAX_OUTPUT_CHARS } from './interpreter.ts';
import { SandboxWorker } from './sandbox.ts';

export class TrustedPython {
  private readonly worker: SandboxWorker;
  private readonly timeoutMs: number;
  private calls = 0;
  /** One call at a time, in order. */
  private readonly serial = new Serial();

  constructor(options: { baseUrl?: string; timeoutMs?: number } = {}) {
    const baseUrl = options.baseUrl ?? `${import.meta.env?.BASE_URL ?? '/'}pyodide/`;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.worker = new SandboxWorker('Python (trusted)', async (api, interrupt) => api.init(await pythonFiles(baseUrl), interrupt, null));
  }

  /** Start the interpreter in the background. */
  warm(): Promise<void> {
    return this.worker.ensure();
  }

  /** Trusted code only (the grader, the symbolic solver, answer checking). */
  run(code: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<PythonRunResult> {
    const session = `trusted-${++this.calls}`;
    return this.serial.run(async () => {
      try {
        const runOptions = { timeoutMs: options.timeoutMs ?? this.timeoutMs, maxOutputChars: 100 * DEFAULT_MAX_OUTPUT_CHARS, ...(options.signal ? { signal: options.signal } : {}) };
        const { killed: _killed, ...result } = await this.worker.run(session, code, runOptions);
        return result;
      } finally {
        if (this.worker.isReady) await this.worker.bridge.call((api) => api.closeSession(session)).catch(() => {});
      }
    });
  }

  dispose(): void {
    this.worker.dispose();
  }
}
