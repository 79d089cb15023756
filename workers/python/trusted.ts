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
import { DEFAULT_MAX_OUTPUT_CHARS } from './interpreter.ts';
import { SandboxWorker } from './sandbox.ts';
import { PythonTemplate } from './template.ts';

export class TrustedPython {
  private readonly worker: SandboxWorker;
  private readonly timeoutMs: number;
  private calls = 0;
  /** One call at a time, in order. */
  private readonly serial = new Serial();

  readonly template: PythonTemplate;
  /** Starts so far: cold (this interpreter made the page's snapshot) or restored from it. */
  readonly starts = { cold: 0, restored: 0 };
  /** ms each start took inside its worker (from loading Pyodide to locked down), in order. */
  readonly startMs: number[] = [];

  /**
   * With a shared `template` (the pool's), the first start either restores its kept snapshot or starts cold and
   * makes it, so the page pays for one cold start at most and this interpreter never waits for another's.
   */
  constructor(options: { baseUrl?: string; timeoutMs?: number; template?: PythonTemplate } = {}) {
    this.template = options.template ?? new PythonTemplate(options.baseUrl ? { baseUrl: options.baseUrl } : {});
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.worker = new SandboxWorker('Python (trusted)', async (api, interrupt) => {
      let cold: Promise<unknown> | undefined;
      const template = await this.template.get((files, imports) => {
        const started = api.init(files, interrupt, null, { imports, makeSnapshot: true });
        cold = started;
        return started.then((r) => {
          if (!r.snapshot) throw new Error('the interpreter returned no snapshot');
          return r.snapshot;
        });
      });
      if (cold) {
        this.starts.cold += 1;
        this.startMs.push(Math.round(((await cold) as { startMs: number }).startMs));
        return cold;
      }
      try {
        const restored = await api.init(PythonTemplate.restoreFiles(template.files), interrupt, template.snapshot);
        this.starts.restored += 1;
        this.startMs.push(Math.round(restored.startMs));
        return restored;
      } catch (error) {
        this.template.invalidate(template);
        throw error;
      }
    });
  }

  /** Start the interpreter; a start that fails (e.g. a kept snapshot that no longer restores) is tried once more in a fresh worker. */
  async warm(): Promise<void> {
    try {
      await this.worker.ensure();
    } catch {
      await this.worker.ensure();
    }
  }

  /** Trusted code only (the grader, the symbolic solver, answer checking). */
  run(code: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<PythonRunResult> {
    const session = `trusted-${++this.calls}`;
    return this.serial.run(async () => {
      await this.warm();
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
