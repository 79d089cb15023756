/**
 * A solution as segments: what the model wrote, code output, and the format's text
 * around output. The model's context is the segments' texts joined; answers, steps
 * and code blocks are read from the model's segments only.
 */
import type { SampleRecord, Segment, SegmentKind } from '../contracts.ts';

/** Appends text to the segments, extending the last one when it is of the same kind. */
export function appendSegment(segments: Segment[], kind: SegmentKind, text: string, error = false): void {
  if (!text) return;
  const last = segments.at(-1);
  if (last && last.kind === kind && Boolean(last.error) === error) last.text += text;
  else segments.push(error ? { kind, text, error } : { kind, text });
}

/** A record's segments; a record saved before segments existed is read as the model's text alone. */
export function segmentsOf(record: Pick<SampleRecord, 'text' | 'segments'>): Segment[] {
  return record.segments ?? (record.text ? [{ kind: 'model', text: record.text }] : []);
}

/** What the model wrote, its segments separated by a line break (so no marker spans an output). */
export function modelText(segments: readonly Segment[]): string {
  return segments.filter((s) => s.kind === 'model').map((s) => s.text).join('\n');
}
