/**
 * The settings a model solve runs with, from the student's settings and the package's manifest.
 * Pure (tests/unit/solve-settings.test.ts).
 *
 * - Strategy 'package' becomes the strategy the package's manifest names as measured best on its
 *   held-out problems (`selection.strategy`), majority vote when it names none.
 * - Greedy selection needs a greedy (temperature 0) solution, so one is decoded.
 * - The confidence rules read how many samples agree with the chosen answer, so with greedy
 *   selection no sample is cancelled early (once the greedy one is done, the others would be).
 */
import type { ResolvedSolveSettings, SolveSettings } from '../contracts.ts';
import type { Manifest } from '../model/manifest.ts';

export function resolveSettings(settings: SolveSettings, selection: Manifest['selection']): ResolvedSolveSettings {
  const strategy = settings.strategy === 'package' ? (selection?.strategy ?? 'majority') : settings.strategy;
  return {
    ...settings,
    strategy,
    greedy: settings.greedy || strategy === 'greedy',
    earlyStop: settings.earlyStop && strategy !== 'greedy',
  };
}
