/**
 * What the solving view shows, built from the solver's events. Plain data mutated
 * in place, so a Svelte `$state` proxy around it updates the page as events arrive.
 */
import type { CodeRun, SampleEnd, Segment, Selection, SolutionFormatId, SolveResult, SolverEvent } from '../../workers/contracts.ts';
import { appendSegment } from '../../workers/solver/segments.ts';

export interface CardState {
  sample: number;
  greedy: boolean;
  text: string;
  /** `text` by who wrote it (model, code output, format). */
  segments: Segment[];
  codeRuns: CodeRun[];
  running: boolean;
  /** Code is being executed right now. */
  executing: boolean;
  answer: string | null;
  value: number | null;
  end: SampleEnd | null;
}

export interface SolveState {
  phase: 'idle' | 'loading' | 'solving' | 'done' | 'cancelled' | 'failed';
  stage: string;
  progress: { done?: number; total?: number; rate?: number; etaSeconds?: number };
  cards: CardState[];
  selection: Selection | null;
  final: boolean;
  result: SolveResult | null;
  /** The solution format the model's solutions are written in (the package's, as the solver reports it); null before any. */
  format: SolutionFormatId | null;
  error: string | null;
  /** Something the user should know that did not stop the solve (e.g. the GPU was lost). */
  notice: string | null;
}

export function newSolveState(): SolveState {
  return { phase: 'idle', stage: '', progress: {}, cards: [], selection: null, final: false, result: null, format: null, error: null, notice: null };
}

function card(state: SolveState, sample: number): CardState {
  let c = state.cards.find((x) => x.sample === sample);
  if (!c) {
    c = { sample, greedy: false, text: '', segments: [], codeRuns: [], running: true, executing: false, answer: null, value: null, end: null };
    state.cards.push(c);
    state.cards.sort((a, b) => a.sample - b.sample);
  }
  return c;
}

export function applySolverEvent(state: SolveState, event: SolverEvent): void {
  switch (event.type) {
    case 'progress': {
      if (state.phase === 'idle') state.phase = 'loading';
      state.stage = event.stage;
      const progress: SolveState['progress'] = {};
      if (event.done !== undefined) progress.done = event.done;
      if (event.total !== undefined) progress.total = event.total;
      if (event.rate !== undefined) progress.rate = event.rate;
      if (event.etaSeconds !== undefined) progress.etaSeconds = event.etaSeconds;
      state.progress = progress;
      break;
    }
    case 'sample-started': {
      state.phase = 'solving';
      const c = card(state, event.sample);
      c.greedy = event.greedy;
      state.format = event.format;
      c.running = true;
      break;
    }
    case 'tokens':
      state.phase = 'solving';
      for (const delta of event.deltas) {
        const c = card(state, delta.sample);
        c.text += delta.text;
        appendSegment(c.segments, delta.kind ?? 'model', delta.text, delta.error ?? false);
      }
      break;
    case 'code-sent':
      card(state, event.sample).executing = true;
      break;
    case 'code-output': {
      const c = card(state, event.sample);
      c.executing = false;
      c.codeRuns.push(event.run);
      break;
    }
    case 'sample-finished': {
      const c = card(state, event.sample);
      c.running = false;
      c.executing = false;
      c.answer = event.answer;
      c.value = event.value;
      c.end = event.end;
      break;
    }
    case 'selection':
      state.selection = event.selection;
      state.final = event.final;
      break;
    case 'done':
      state.phase = 'done';
      state.result = event.result;
      state.selection = event.result.method === 'model' ? event.result.selection : null;
      if (event.result.method === 'model') state.format = event.result.format;
      state.final = true;
      for (const c of state.cards) c.running = false;
      break;
    case 'restarted':
      state.notice = event.reason;
      state.selection = null;
      for (const c of state.cards) {
        if (event.kept.includes(c.sample)) continue;
        Object.assign(c, { text: '', segments: [], codeRuns: [], running: true, executing: false, answer: null, value: null, end: null });
      }
      break;
    case 'error':
      state.phase = event.error.name === 'CancelledError' ? 'cancelled' : 'failed';
      state.error = event.error.hint ? `${event.error.message} ${event.error.hint}` : event.error.message;
      for (const c of state.cards) c.running = false;
      break;
  }
}
