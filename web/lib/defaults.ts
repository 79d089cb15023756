/** Default settings for a first visit; the user's own are kept in IndexedDB. */
import type { StoredSettings } from './db.ts';
import { STRATEGY_IDS } from '../../workers/solver/selection.ts';

export const DEFAULT_MODEL_ID = 'demo-mario-tiny';

export const DEFAULT_SETTINGS: StoredSettings = {
  modelId: DEFAULT_MODEL_ID,
  samples: 8,
  greedy: false,
  temperature: 0.7,
  topP: 0.95,
  maxTokensPerSolution: 400,
  timeLimitMs: 120_000,
  codeTimeoutMs: 10_000,
  strategy: 'package',
  earlyStop: true,
  seed: 1,
};

/** Settings read from storage, with anything missing or out of range replaced by its default. */
export function sanitizeSettings(stored: Partial<StoredSettings> | undefined): StoredSettings {
  const s = { ...DEFAULT_SETTINGS, ...(stored ?? {}) };
  const clamp = (v: unknown, lo: number, hi: number, d: number) => (typeof v === 'number' && Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : d);
  s.samples = Math.round(clamp(s.samples, 1, 16, DEFAULT_SETTINGS.samples));
  s.temperature = clamp(s.temperature, 0, 1.5, DEFAULT_SETTINGS.temperature);
  s.topP = clamp(s.topP, 0.05, 1, DEFAULT_SETTINGS.topP);
  s.timeLimitMs = clamp(s.timeLimitMs, 10_000, 1_800_000, DEFAULT_SETTINGS.timeLimitMs);
  s.maxTokensPerSolution = Math.round(clamp(s.maxTokensPerSolution, 32, 4096, DEFAULT_SETTINGS.maxTokensPerSolution));
  if (s.strategy !== 'package' && !(STRATEGY_IDS as readonly string[]).includes(s.strategy)) s.strategy = DEFAULT_SETTINGS.strategy;
  if (s.declinedModels !== undefined && !(Array.isArray(s.declinedModels) && s.declinedModels.every((id) => typeof id === 'string'))) delete s.declinedModels;
  return s;
}
