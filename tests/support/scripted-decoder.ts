/**
 * A decode session that replays scripted model text instead of running a network:
 * for the loop's branches the demo model cannot be made to take (output that imitates
 * the format's markers, failed code runs, the code-call limit, early stop) and for
 * replaying reference-harness transcripts.
 *
 * Each sample's script is a list of turns: the text the model writes until it pauses
 * for code (or ends). Turns are emitted a few characters per step, so stop strings
 * arrive split across steps as real tokens do. `context(sample)` is everything the
 * model was given and wrote, in order: the prompt, its own text and every append.
 */
import type { DecodeSession, SamplerSpec, StepOutput } from '../../workers/types.ts';

export interface ScriptedDecoder extends DecodeSession {
  /** The prompt plus every token written or appended, as the model would see it. */
  context(sample: number): string;
  /** Texts appended to the sample (code outputs as the format feeds them back). */
  appended(sample: number): string[];
  prompt: string;
  /** Whether the prompt starts with the tokenizer's beginning-of-sequence token. */
  bos: boolean | undefined;
}

interface Row {
  turns: string[][];
  turn: number;
  pos: number;
  paused: boolean;
  stopped: boolean;
  context: string;
  appended: string[];
}

/** Splits text into deltas of `chunk` characters, each of `whole` (stop strings, as a tokenizer's special tokens) one delta. */
function tokenize(text: string, chunk: number, whole: string[]): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest) {
    let at = rest.length;
    let marker = '';
    for (const w of whole) {
      const i = w ? rest.indexOf(w) : -1;
      if (i >= 0 && (i < at || (i === at && w.length > marker.length))) [at, marker] = [i, w];
    }
    for (let i = 0; i < at; i += chunk) pieces.push(rest.slice(i, Math.min(i + chunk, at)));
    if (marker) pieces.push(marker);
    rest = rest.slice(at + marker.length);
  }
  return pieces;
}

/** `scripts[i]` are sample i's turns; a sample with no script left ends. */
export function scriptedDecoder(scripts: string[][], options: { chunk?: number; whole?: string[]; values?: number[] } = {}): ScriptedDecoder {
  const chunk = options.chunk ?? 3;
  const whole = options.whole ?? [];
  const rows: Row[] = [];
  const session: ScriptedDecoder = {
    device: 'cpu',
    prompt: '',
    bos: undefined,
    async start(prompt: string, samplers: SamplerSpec[], startOptions?: { bos?: boolean }) {
      session.prompt = prompt;
      session.bos = startOptions?.bos;
      samplers.forEach((_, i) => rows.push({ turns: (scripts[i] ?? []).map((t) => tokenize(t, chunk, whole)), turn: 0, pos: 0, paused: false, stopped: false, context: prompt, appended: [] }));
    },
    async step(): Promise<StepOutput> {
      const deltas = new Map<number, string>();
      const ended = new Set<number>();
      rows.forEach((row, i) => {
        if (row.paused || row.stopped) return;
        const turn = row.turns[row.turn];
        if (turn === undefined || row.pos >= turn.length) {
          // The turn is written out: the model ends here (a turn that closes a code block is paused by the loop first).
          ended.add(i);
          return;
        }
        const delta = turn[row.pos]!;
        row.pos += 1;
        row.context += delta;
        deltas.set(i, delta);
      });
      return { deltas, ended };
    },
    pause(sequence: number) {
      rows[sequence]!.paused = true;
    },
    async append(sequence: number, text: string) {
      const row = rows[sequence]!;
      row.context += text;
      row.appended.push(text);
      row.turn += 1;
      row.pos = 0;
      row.paused = false;
    },
    async value(sequence: number) {
      return options.values?.[sequence] ?? 0.5;
    },
    stop(sequence: number) {
      if (rows[sequence]) rows[sequence]!.stopped = true;
    },
    async dispose() {},
    context: (sample) => rows[sample]!.context,
    appended: (sample) => rows[sample]!.appended,
  };
  return session;
}
