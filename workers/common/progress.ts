/**
 * Progress of a transfer as the app reports it (downloads, model loading): bytes done of a total, the
 * rate since it started, and the time left at that rate.
 */
import type { ProgressEvent } from '../contracts.ts';

/**
 * A progress event for `done` of `total` bytes, `counted` of which arrived since `startedMs`
 * (performance.now()): the rate is over those, the ETA is the rest at that rate (absent until it is known).
 */
export function progressEvent(stage: string, done: number, total: number, startedMs: number, counted = done): ProgressEvent {
  const seconds = (performance.now() - startedMs) / 1000;
  const rate = seconds > 0 ? counted / seconds : 0;
  const event: ProgressEvent = { type: 'progress', stage, done, total, rate };
  if (rate > 0) event.etaSeconds = Math.max(0, total - done) / rate;
  return event;
}
