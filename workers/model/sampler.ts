/**
 * Seeded token sampling: temperature, top-k, top-p (nucleus); greedy at temperature 0.
 * The same seed and logits give the same token on every device.
 */

/** mulberry32: a small, fast, seedable PRNG. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SamplingOptions {
  temperature: number;
  topP?: number;
  topK?: number;
}

export function argmax(logits: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < logits.length; i += 1) if (logits[i]! > logits[best]!) best = i;
  return best;
}

/** Candidates whose probability is below this are left out before sorting (they hold < vocab x 1e-7 of the mass). */
const NEGLIGIBLE = 1e-7;

export function sampleToken(logits: ArrayLike<number>, options: SamplingOptions, random: () => number): number {
  if (options.temperature <= 0) return argmax(logits);
  const n = logits.length;
  let max = -Infinity;
  for (let i = 0; i < n; i += 1) if (logits[i]! > max) max = logits[i]!;
  // Only tokens with a non-negligible probability are sorted (a few dozen, not the vocabulary).
  const floor = max + options.temperature * Math.log(NEGLIGIBLE);
  const candidates: number[] = [];
  for (let i = 0; i < n; i += 1) if (logits[i]! >= floor) candidates.push(i);
  candidates.sort((a, b) => logits[b]! - logits[a]! || a - b);
  const k = options.topK && options.topK > 0 ? Math.min(options.topK, candidates.length) : candidates.length;
  const top = candidates.slice(0, k);
  const weights = top.map((i) => Math.exp((logits[i]! - max) / options.temperature));
  const total = weights.reduce((a, b) => a + b, 0);
  const p = options.topP ?? 1;
  let kept = top.length;
  if (p < 1) {
    let cumulative = 0;
    for (let i = 0; i < top.length; i += 1) {
      cumulative += weights[i]! / total;
      if (cumulative >= p) {
        kept = i + 1;
        break;
      }
    }
  }
  const mass = weights.slice(0, kept).reduce((a, b) => a + b, 0);
  let r = random() * mass;
  for (let i = 0; i < kept; i += 1) {
    r -= weights[i]!;
    if (r <= 0) return top[i]!;
  }
  return top[kept - 1]!;
}
