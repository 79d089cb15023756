/** The worker bridge in real Chromium with a real module worker. */
import { describe, expect, it } from 'vitest';
import { WorkerBridge } from '../../workers/common/bridge.ts';
import { AppError, CancelledError, WorkerCrashedError } from '../../workers/common/errors.ts';
import type { ChoresApi } from './fixtures/chores.worker.ts';

function bridge(options: Partial<ConstructorParameters<typeof WorkerBridge>[1]> = {}) {
  return new WorkerBridge<ChoresApi>(
    () => new Worker(new URL('./fixtures/chores.worker.ts', import.meta.url), { type: 'module' }),
    { name: 'test worker', ...options },
  );
}

describe('WorkerBridge', () => {
  it('calls the worker', async () => {
    const b = bridge();
    expect(await b.call((api) => api.echo('hello'))).toBe('hello');
    b.terminate();
  });

  it('cancels a call stuck in a busy loop by terminating the worker, then serves the next call', async () => {
    const b = bridge();
    const controller = new AbortController();
    const stuck = b.call((api) => api.spin(60_000), controller.signal);
    setTimeout(() => controller.abort(), 200);
    const started = performance.now();
    await expect(stuck).rejects.toBeInstanceOf(CancelledError);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(await b.call((api) => api.echo('again'))).toBe('again');
    expect(b.starts).toBe(2);
    b.terminate();
  });

  it('a call made right after a cancel is not killed by the cancelled call\'s grace period', async () => {
    // The worker ignores the cooperative cancel (it is busy), so the grace period ends in termination;
    // the next call must run in a fresh worker, not die with the earlier call's cancellation.
    const b = bridge({ cancelGraceMs: 300 });
    const controller = new AbortController();
    const stuck = b.call((api) => api.spin(2_000), controller.signal, { cancel: async () => undefined });
    setTimeout(() => controller.abort(), 100);
    await expect(stuck).rejects.toBeInstanceOf(CancelledError);
    expect(await b.call((api) => api.echo('next'))).toBe('next');
    expect(b.starts).toBe(2);
    b.terminate();
  });

  it('rejects every pending call of a worker that crashes', async () => {
    const b = bridge();
    const crashing = b.call((api) => api.crash());
    await expect(crashing).rejects.toBeInstanceOf(WorkerCrashedError);
    expect(await b.call((api) => api.echo('alive'))).toBe('alive');
    b.terminate();
  });

  it('rebuilds named errors with their hint and details after crossing the thread', async () => {
    const b = bridge();
    const error = await b.call((api) => api.fail()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).message).toBe('The model file is damaged.');
    expect((error as AppError).hint).toBe('Delete it and download again.');
    expect((error as AppError).details).toEqual({ file: 'onnx/model.onnx' });
    b.terminate();
  });

  it('queues calls beyond its concurrency and lets a waiting call be cancelled', async () => {
    const b = bridge({ concurrency: 1 });
    const first = b.call((api) => api.spin(300));
    const controller = new AbortController();
    const waiting = b.call((api) => api.echo('never'), controller.signal);
    const third = b.call((api) => api.echo('third'));
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(CancelledError);
    expect(await first).toBe('spun');
    expect(await third).toBe('third');
    b.terminate();
  });

  it('shuts an idle worker down', async () => {
    const b = bridge({ idleMs: 100 });
    await b.call((api) => api.echo('x'));
    expect(b.isRunning).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(b.isRunning).toBe(false);
  });
});
