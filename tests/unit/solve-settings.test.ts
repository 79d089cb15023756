import { describe, expect, it } from 'vitest';
import { resolveSettings } from '../../workers/solver/settings.ts';
import { DEFAULT_SETTINGS } from '../../web/lib/defaults.ts';

const { modelId: _id, ...base } = DEFAULT_SETTINGS;

describe('solve settings', () => {
  it("puts in the package's measured strategy, decoding a greedy solution and keeping every sample for greedy selection", () => {
    const s = resolveSettings({ ...base, strategy: 'package', greedy: false, earlyStop: true }, { strategy: 'greedy' });
    expect(s).toMatchObject({ strategy: 'greedy', greedy: true, earlyStop: false });
  });
  it('votes when the package names no strategy, and keeps early stop', () => {
    expect(resolveSettings({ ...base, strategy: 'package', earlyStop: true }, undefined)).toMatchObject({ strategy: 'majority', earlyStop: true });
  });
  it("keeps the student's own choice", () => {
    expect(resolveSettings({ ...base, strategy: 'outlier-free-ovm', greedy: false }, { strategy: 'greedy' })).toMatchObject({ strategy: 'outlier-free-ovm', greedy: false });
  });
  it("defaults to the package's strategy on a first visit", () => {
    expect(DEFAULT_SETTINGS.strategy).toBe('package');
  });
});
