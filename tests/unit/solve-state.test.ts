/** The solving view's state, built from solver events: a GPU lost mid-solve resets only the solutions that start over. */
import { describe, expect, it } from 'vitest';
import { applySolverEvent, newSolveState } from '../../web/lib/solve-state.ts';

describe('solve state', () => {
  it('keeps finished cards and clears the others when the solve restarts on another device', () => {
    const state = newSolveState();
    for (const sample of [0, 1]) applySolverEvent(state, { type: 'sample-started', sample, greedy: false, format: 'mario' });
    applySolverEvent(state, { type: 'tokens', deltas: [{ sample: 0, text: 'done text' }, { sample: 1, text: 'half' }] });
    applySolverEvent(state, { type: 'sample-finished', sample: 0, answer: '42', value: 0.9, end: 'answer' });
    applySolverEvent(state, { type: 'restarted', device: 'wasm', reason: 'The GPU stopped working.', kept: [0] });
    // The solutions are read in the package's format, as the solver reported it.
    expect(state.format).toBe('mario');
    expect(state.notice).toBe('The GPU stopped working.');
    expect(state.cards[0]).toMatchObject({ text: 'done text', answer: '42', running: false, end: 'answer' });
    expect(state.cards[1]).toMatchObject({ text: '', answer: null, running: true, end: null });
    applySolverEvent(state, { type: 'tokens', deltas: [{ sample: 1, text: 'again' }] });
    expect(state.cards[1]!.text).toBe('again');
  });
});
