/**
 * The embed protocol: every message between a host page and the tutor's embed page
 * (`/embed.html`, in an iframe), in one place. The tutor validates what it receives
 * with `parseHostMessage`; anything malformed or oversized is answered with an
 * `error` event and otherwise ignored. README.md ("Embed") documents the same API.
 */

import type { ConfidenceLevel } from '../../workers/solver/confidence.ts';

/** Bumped when a message changes incompatibly; sent in `ready`. */
export const PROTOCOL_VERSION = 1;

/** Longest problem a host may send (the same limit as the tutor's own input). */
export const MAX_PROBLEM_CHARS = 4_000;

/** Largest message the tutor reads, measured as JSON text. */
export const MAX_MESSAGE_CHARS = 16_384;

/** Most origins an `?origins=` list may name. */
export const MAX_ALLOWED_ORIGINS = 16;

// ── Host → tutor ───────────────────────────────────────────────────────────

export type HostMessage =
  /** Puts a problem into the tutor's input (does not solve it). */
  | { type: 'set-problem'; problem: string }
  /** Solves the problem in the input. */
  | { type: 'solve' }
  /** Stops a running solve and clears the problem and the result. */
  | { type: 'reset' };

export type HostMessageType = HostMessage['type'];

// ── Tutor → host ───────────────────────────────────────────────────────────

export interface ClusterSummary {
  answer: string;
  /** Solutions that gave this answer. */
  count: number;
  /** The value model's best score among them (null without a value head). */
  bestValue: number | null;
}

export type ErrorCode =
  /** Not a plain object of the documented shape. */
  | 'malformed'
  /** A `type` this version does not know. */
  | 'unknown-type'
  /** Larger than MAX_MESSAGE_CHARS, or a problem longer than MAX_PROBLEM_CHARS. */
  | 'too-large'
  /** `solve` while a problem is being solved. */
  | 'busy'
  /** `solve` with an empty or unusable problem. */
  | 'invalid-problem'
  /** Solving failed (the message says why). */
  | 'solve-failed';

export type TutorEvent =
  /** The embed page listens; sent once after load. */
  | { type: 'ready'; version: number; crossOriginIsolated: boolean; problem: string }
  /** Work in progress: loading the model or Python, or solutions finishing. */
  | { type: 'progress'; stage: string; samplesDone: number; samplesTotal: number }
  /** The chosen answer and how the sampled solutions voted. */
  | { type: 'solved'; problem: string; /** The answer the tutor stands by; null when no solution reached one or the tutor is not sure of it. */ answer: string | null; /** Who answered: the step-by-step symbolic solver or the model. */ method: 'symbolic' | 'model'; /** How sure the tutor is ('not-sure': the clusters are unchecked attempts). */ confidence: ConfidenceLevel; explanation: string; clusters: ClusterSummary[]; samples: number; durationMs: number }
  /** The student checked an answer in the widget. */
  | { type: 'answer-checked'; answer: string; correct: boolean; message: string }
  | { type: 'error'; code: ErrorCode; message: string }
  /** The document's height in CSS pixels, sent whenever it changes (for sizing the iframe). */
  | { type: 'height'; height: number };

export type TutorEventType = TutorEvent['type'];

export const TUTOR_EVENT_TYPES: readonly TutorEventType[] = ['ready', 'progress', 'solved', 'answer-checked', 'error', 'height'];

// ── Validation ─────────────────────────────────────────────────────────────

export type Parsed = { ok: true; message: HostMessage } | { ok: false; code: ErrorCode; message: string };

const FIELDS: Record<HostMessageType, readonly string[]> = {
  'set-problem': ['type', 'problem'],
  solve: ['type'],
  reset: ['type'],
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** JSON length of `value`, or undefined when it is not plain JSON data (functions are not cloneable; Blobs, Maps, cycles are refused). */
function jsonLength(value: unknown): number | undefined {
  try {
    const text = JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v === 'object' && v !== null && !Array.isArray(v) && !isPlainObject(v)) throw new TypeError('not plain data');
      return v;
    });
    return text === undefined ? undefined : text.length;
  } catch {
    return undefined;
  }
}

/** Checks one message from a host; never throws. */
export function parseHostMessage(data: unknown): Parsed {
  if (typeof data === 'string' && data.length > MAX_MESSAGE_CHARS) {
    return { ok: false, code: 'too-large', message: `The message has ${data.length} characters; at most ${MAX_MESSAGE_CHARS} are read.` };
  }
  if (!isPlainObject(data)) return { ok: false, code: 'malformed', message: 'A message must be an object like {type: "solve"}.' };
  const size = jsonLength(data);
  if (size === undefined) return { ok: false, code: 'malformed', message: 'A message may only hold JSON data (strings, numbers, plain objects).' };
  if (size > MAX_MESSAGE_CHARS) return { ok: false, code: 'too-large', message: `The message is ${size} characters as JSON; at most ${MAX_MESSAGE_CHARS} are read.` };
  const type = data.type;
  if (typeof type !== 'string') return { ok: false, code: 'malformed', message: 'A message needs a string "type".' };
  if (!Object.hasOwn(FIELDS, type)) return { ok: false, code: 'unknown-type', message: `Unknown message type "${type.slice(0, 40)}"; known: ${Object.keys(FIELDS).join(', ')}.` };
  const known = FIELDS[type as HostMessageType];
  const extra = Object.keys(data).filter((key) => !known.includes(key));
  if (extra.length) return { ok: false, code: 'malformed', message: `"${type}" does not take ${extra.map((k) => `"${k.slice(0, 40)}"`).join(', ')}.` };
  switch (type as HostMessageType) {
    case 'set-problem': {
      const problem = data.problem;
      if (typeof problem !== 'string') return { ok: false, code: 'malformed', message: '"set-problem" needs a string "problem".' };
      if (problem.length > MAX_PROBLEM_CHARS) return { ok: false, code: 'too-large', message: `The problem has ${problem.length} characters; at most ${MAX_PROBLEM_CHARS}.` };
      return { ok: true, message: { type: 'set-problem', problem } };
    }
    case 'solve':
      return { ok: true, message: { type: 'solve' } };
    case 'reset':
      return { ok: true, message: { type: 'reset' } };
  }
}

/** An origin as a browser reports it (`https://host[:port]`), or undefined. */
export function normalizeOrigin(text: string): string | undefined {
  const trimmed = text.trim();
  if (!/^https?:\/\/[^/?#\s]+$/i.test(trimmed)) return undefined;
  try {
    const url = new URL(trimmed);
    return url.origin === 'null' ? undefined : url.origin;
  } catch {
    return undefined;
  }
}

/** Parses a comma- or space-separated list of origins; entries that are not origins are dropped. */
export function parseOrigins(list: string | null | undefined): string[] {
  if (!list) return [];
  const out = new Set<string>();
  for (const part of list.split(/[\s,]+/)) {
    const origin = normalizeOrigin(part);
    if (origin) out.add(origin);
    if (out.size >= MAX_ALLOWED_ORIGINS) break;
  }
  return [...out];
}
