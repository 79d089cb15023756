/**
 * One generation on the batched loop: N sequences from one prompt, each ending at end of
 * text, at a stop string, at its token budget, or when the signal aborts. Token text goes
 * to `emit` in batches (at most one event per `flushMs`), not one message per token.
 * Transport-free: runs on any BatchDecoder (Node tests, the model worker).
 */
import type { GenerateEnd, GenerateRequest, GenerateResult, GeneratedSequence, ModelEvent } from '../contracts.ts';
import type { BatchDecoder } from './decoder.ts';

export async function generate(
  decoder: BatchDecoder,
  request: Omit<GenerateRequest, 'jobId'>,
  emit: (event: ModelEvent) => void = () => {},
  signal?: AbortSignal,
  flushMs = 50,
): Promise<GenerateResult> {
  const n = request.samplers.length;
  const stops = request.stop ?? [];
  const longestStop = Math.max(0, ...stops.map((s) => s.length));
  const texts: string[] = Array.from({ length: n }, () => '');
  const ends: Array<GenerateEnd | undefined> = Array.from({ length: n }, () => undefined);
  let pending: Array<{ sequence: number; text: string }> = [];
  let lastFlush = performance.now();
  const flush = () => {
    if (pending.length > 0) emit({ type: 'tokens', deltas: pending });
    pending = [];
    lastFlush = performance.now();
  };
  const end = (sequence: number, why: GenerateEnd) => {
    ends[sequence] = why;
    decoder.stop(sequence);
  };

  const t0 = performance.now();
  await decoder.start(request.prompt, request.samplers);
  const prefillMs = performance.now() - t0;
  let generated = 0;
  if (request.maxNewTokens <= 0) for (let i = 0; i < n; i += 1) end(i, 'token-budget');
  while (ends.some((e) => e === undefined)) {
    if (signal?.aborted) {
      for (let i = 0; i < n; i += 1) if (ends[i] === undefined) end(i, 'cancelled');
      break;
    }
    const { deltas, ended } = await decoder.step();
    for (const [sequence, delta] of deltas) {
      generated += 1;
      if (delta) {
        // Only the tail can hold a stop string that this delta completed.
        const from = Math.max(0, texts[sequence]!.length - longestStop);
        texts[sequence] += delta;
        pending.push({ sequence, text: delta });
        if (stops.some((s) => texts[sequence]!.indexOf(s, from) >= 0)) {
          end(sequence, 'stop');
          continue;
        }
      }
      if (ended.has(sequence)) end(sequence, 'eos');
      else if (decoder.tokensOf(sequence).length >= request.maxNewTokens) end(sequence, 'token-budget');
    }
    if (performance.now() - lastFlush >= flushMs) flush();
  }
  flush();
  const decodeMs = performance.now() - t0 - prefillMs;
  const sequences: GeneratedSequence[] = [];
  for (let i = 0; i < n; i += 1) {
    sequences.push({ text: texts[i]!, tokens: decoder.tokensOf(i), value: await decoder.value(i), end: ends[i]! });
  }
  return { sequences, tokensPerSecond: decodeMs > 0 ? (generated * 1000) / decodeMs : 0, prefillMs, decodeMs };
}
