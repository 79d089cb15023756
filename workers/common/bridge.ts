/**
 * Owns one worker's life on the main thread: lazy start, a call queue, an
 * AbortSignal on every call, termination on abort, restart after a crash, and
 * shutdown when idle. Callers never touch the Worker or comlink directly.
 *
 * Pending calls of a worker that dies are rejected (WorkerCrashedError), never
 * left hanging: comlink alone would wait forever for a terminated worker.
 */
import * as Comlink from 'comlink';
import { CancelledError, WorkerCrashedError } from './errors.ts';

export interface BridgeOptions {
  /** Shown in error messages ("the Python worker stopped ..."). */
  name: string;
  /** Calls allowed to run at once; the rest wait in order. Default: unlimited. */
  concurrency?: number;
  /** Terminate the worker after this many ms without calls. Default: never. */
  idleMs?: number;
  /** After an abort, wait this long for a cooperative cancel before terminating. Default 0. */
  cancelGraceMs?: number;
  /**
   * Talk over a private MessagePort sent with this handshake message, instead of the
   * worker's own channel (which untrusted code inside the worker could post on).
   */
  privatePort?: string;
}

export interface CallOptions<Api> {
  /** Cooperative cancel, e.g. `(api) => api.cancel(jobId)`; the worker is terminated if it does not settle in time. */
  cancel?: (api: Comlink.Remote<Api>) => Promise<unknown>;
}

interface Live<Api> {
  worker: Worker;
  api: Comlink.Remote<Api>;
  /** Rejects when the worker dies. */
  died: Promise<never>;
  kill: (error: Error) => void;
}

export class WorkerBridge<Api> {
  private live: Live<Api> | undefined;
  private running = 0;
  private readonly queue: Array<() => void> = [];
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** Number of workers started so far (restarts included). */
  starts = 0;

  constructor(
    private readonly factory: () => Worker,
    private readonly options: BridgeOptions,
  ) {}

  /** Run `fn` against the worker's API. Rejects with CancelledError when `signal` aborts. */
  async call<R>(fn: (api: Comlink.Remote<Api>) => Promise<R>, signal?: AbortSignal, callOptions: CallOptions<Api> = {}): Promise<R> {
    if (signal?.aborted) throw new CancelledError(`${this.options.name}: cancelled before it started.`);
    await this.acquire(signal);
    try {
      const live = this.ensure();
      return await this.race(live, fn(live.api), signal, callOptions);
    } finally {
      this.release();
    }
  }

  /** Start the worker now (e.g. to warm it up in the background). */
  start(): void {
    this.ensure();
  }

  /** Terminate the worker; pending calls reject; the next call starts a fresh one. */
  restart(reason = 'restarted'): void {
    this.live?.kill(new WorkerCrashedError(`${this.options.name} was ${reason}.`, { hint: 'Try again.' }));
  }

  /** Terminate for good (a later call starts a new worker). */
  terminate(): void {
    this.restart('shut down');
  }

  get isRunning(): boolean {
    return this.live !== undefined;
  }

  private ensure(): Live<Api> {
    if (this.live) return this.live;
    const worker = this.factory();
    this.starts += 1;
    let endpoint: Worker | MessagePort = worker;
    if (this.options.privatePort) {
      const channel = new MessageChannel();
      worker.postMessage(this.options.privatePort, [channel.port2]);
      endpoint = channel.port1;
    }
    const api = Comlink.wrap<Api>(endpoint);
    let kill!: (error: Error) => void;
    const died = new Promise<never>((_, reject) => {
      kill = (error: Error) => {
        if (this.live?.worker !== worker) return;
        this.live = undefined;
        api[Comlink.releaseProxy]();
        worker.terminate();
        if (endpoint !== worker) (endpoint as MessagePort).close();
        reject(error);
      };
    });
    died.catch(() => {});
    worker.addEventListener('error', (event) => {
      event.preventDefault?.();
      kill(new WorkerCrashedError(`${this.options.name} stopped unexpectedly: ${event.message || 'unknown error'}.`, {
        hint: 'It was restarted; try again.',
      }));
    });
    worker.addEventListener('messageerror', () => {
      kill(new WorkerCrashedError(`${this.options.name} sent a message that could not be read.`, { hint: 'Try again.' }));
    });
    this.live = { worker, api, died, kill };
    return this.live;
  }

  private async race<R>(live: Live<Api>, work: Promise<R>, signal: AbortSignal | undefined, callOptions: CallOptions<Api>): Promise<R> {
    if (!signal) return Promise.race([work, live.died]);
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => {
        const error = new CancelledError(`${this.options.name}: cancelled.`);
        const grace = this.options.cancelGraceMs ?? 0;
        if (callOptions.cancel && grace > 0) {
          // The call settles only once the worker has let go of it (its work ended, or the worker was
          // terminated after the grace period): a call made after this one then never lands in a worker
          // that this cancellation is about to terminate.
          let timer: ReturnType<typeof setTimeout> | undefined;
          const terminated = new Promise<void>((resolve) => {
            timer = setTimeout(() => {
              live.kill(error);
              resolve();
            }, grace);
          });
          callOptions.cancel(live.api).catch(() => {});
          const settled = work.then(
            () => clearTimeout(timer),
            () => clearTimeout(timer),
          );
          void Promise.race([settled, terminated, live.died.catch(() => {})]).then(() => reject(error));
        } else {
          live.kill(error);
          reject(error);
        }
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
    aborted.catch(() => {});
    try {
      // A call whose signal aborted ends in CancelledError, even when the worker answered its cooperative
      // cancel by returning what it had so far.
      const result = await Promise.race([work, live.died, aborted]).catch(async (error: unknown) => {
        if (signal.aborted) await aborted;
        throw error;
      });
      if (signal.aborted) await aborted;
      return result;
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
  }

  private acquire(signal: AbortSignal | undefined): Promise<void> {
    clearTimeout(this.idleTimer);
    const limit = this.options.concurrency ?? Infinity;
    if (this.running < limit) {
      this.running += 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        this.running += 1;
        resolve();
      };
      const onAbort = () => {
        const index = this.queue.indexOf(grant);
        if (index >= 0) this.queue.splice(index, 1);
        reject(new CancelledError(`${this.options.name}: cancelled while waiting.`));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(grant);
    });
  }

  private release(): void {
    this.running -= 1;
    const next = this.queue.shift();
    if (next) {
      next();
      return;
    }
    if (this.running === 0 && this.options.idleMs !== undefined) {
      this.idleTimer = setTimeout(() => this.terminate(), this.options.idleMs);
    }
  }
}
