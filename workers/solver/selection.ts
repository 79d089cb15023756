/**
 * Choosing one answer from N sampled solutions. Every strategy returns the answer
 * clusters (answer, members, count, best and mean value) so the UI can show why.
 *
 * - greedy: the answer of the greedy (temperature 0) solution, or of the first sample.
 * - majority: the largest cluster (ties: higher best value, then earlier).
 * - best-of-n: the cluster of the single highest-valued solution.
 * - outlier-free OVM (MARIO): drop clusters with fewer than `minClusterSize` members
 *   unless every cluster is that small, then pick the cluster whose best solution has
 *   the highest value (ties: larger cluster, then earlier).
 */
import { compareAnswers } from './equivalence.ts';
import { STRATEGY_IDS, type Cluster, type SampleOutcome, type Selection, type StrategyId } from '../types.ts';

export { STRATEGY_IDS, type Cluster, type SampleOutcome, type Selection, type StrategyId };

export interface SelectionOptions {
  /** Outlier-free OVM: clusters smaller than this are outliers. MARIO uses 2. */
  minClusterSize?: number;
  /** Answer equivalence used to group answers. */
  same?: (a: string, b: string) => boolean;
}

const defaultSame = (a: string, b: string) => compareAnswers(a, b).equal;

/** Groups answered samples into clusters of equivalent answers, largest first (stable). */
export function clusterAnswers(samples: readonly SampleOutcome[], same = defaultSame): Cluster[] {
  const groups: Array<{ answer: string; members: SampleOutcome[]; first: number }> = [];
  for (const sample of samples) {
    if (sample.answer === null) continue;
    const group = groups.find((g) => same(g.answer, sample.answer!));
    if (group) group.members.push(sample);
    else groups.push({ answer: sample.answer, members: [sample], first: groups.length });
  }
  return groups
    .map((g) => {
      const values = g.members.map((m) => m.value).filter((v): v is number => v !== null);
      let best = g.members[0]!;
      for (const m of g.members) if ((m.value ?? -Infinity) > (best.value ?? -Infinity)) best = m;
      return {
        cluster: {
          answer: g.answer,
          members: g.members.map((m) => m.id),
          count: g.members.length,
          bestValue: values.length ? Math.max(...values) : null,
          meanValue: values.length ? values.reduce((a, b) => a + b, 0) / values.length : null,
          bestMember: best.id,
        },
        first: g.first,
      };
    })
    .sort((a, b) => b.cluster.count - a.cluster.count || a.first - b.first)
    .map((x) => x.cluster);
}

const byValue = (c: Cluster) => c.bestValue ?? -Infinity;

function pick(candidates: Cluster[], better: (a: Cluster, b: Cluster) => number): Cluster | null {
  let chosen: Cluster | null = null;
  for (const c of candidates) if (chosen === null || better(c, chosen) > 0) chosen = c;
  return chosen;
}

function fmt(value: number | null): string {
  return value === null ? 'n/a' : value.toFixed(2);
}

export function select(strategy: StrategyId, samples: readonly SampleOutcome[], options: SelectionOptions = {}): Selection {
  const clusters = clusterAnswers(samples, options.same ?? defaultSame);
  const noAnswer = samples.filter((s) => s.answer === null).length;
  const total = samples.length;
  let chosen: Cluster | null = null;
  let setAside: Cluster[] = [];
  let explanation: string;

  switch (strategy) {
    case 'greedy': {
      const greedy = samples.find((s) => s.greedy) ?? samples[0];
      chosen = greedy ? clusters.find((c) => c.members.includes(greedy.id)) ?? null : null;
      explanation = chosen
        ? `The greedy solution answered ${chosen.answer}; ${chosen.count} of ${total} solutions agree on ${chosen.answer}.`
        : 'The greedy solution gave no answer.';
      break;
    }
    case 'majority': {
      chosen = pick(clusters, (a, b) => a.count - b.count || byValue(a) - byValue(b));
      explanation = chosen ? `${chosen.count} of ${total} solutions agree on ${chosen.answer}.` : 'No solution gave an answer.';
      break;
    }
    case 'best-of-n': {
      chosen = pick(clusters, (a, b) => byValue(a) - byValue(b) || a.count - b.count);
      explanation = chosen
        ? `The highest-scored solution (${fmt(chosen.bestValue)}) answered ${chosen.answer}.`
        : 'No solution gave an answer.';
      break;
    }
    case 'outlier-free-ovm': {
      const min = options.minClusterSize ?? 2;
      const kept = clusters.filter((c) => c.count >= min);
      const candidates = kept.length > 0 ? kept : clusters;
      setAside = kept.length > 0 ? clusters.filter((c) => c.count < min) : [];
      chosen = pick(candidates, (a, b) => byValue(a) - byValue(b) || a.count - b.count);
      if (!chosen) explanation = 'No solution gave an answer.';
      else {
        const agree = `${chosen.count} of ${total} solution${total === 1 ? '' : 's'} ${chosen.count === 1 ? 'gives' : 'agree on'} ${chosen.answer}`;
        const scored = `its best solution scored ${fmt(chosen.bestValue)}`;
        const aside = setAside.length
          ? `; ${setAside.length} answer${setAside.length === 1 ? '' : 's'} that appeared only once ${setAside.length === 1 ? 'was' : 'were'} set aside`
          : kept.length === 0 && clusters.length > 1
            ? '; every answer appeared once, so the best-scored one was taken'
            : '';
        explanation = `${agree}; ${scored}${aside}.`;
      }
      break;
    }
  }
  return { strategy, chosen, clusters, setAside, noAnswer, explanation };
}

/**
 * True when the remaining samples cannot change the chosen answer, so they can be
 * cancelled. Values are probabilities, so a future sample scores at most 1.
 */
export function isDecided(strategy: StrategyId, samples: readonly SampleOutcome[], remaining: number, options: SelectionOptions = {}): boolean {
  if (remaining <= 0) return true;
  const current = select(strategy, samples, options);
  const leader = current.chosen;
  if (strategy === 'greedy') return samples.some((s) => s.greedy);
  if (!leader) return false;
  const others = current.clusters.filter((c) => c !== leader);
  if (strategy === 'majority') {
    // Strictly ahead even if every remaining sample joins the strongest rival (or a new answer).
    const rival = Math.max(0, ...others.map((c) => c.count));
    return leader.count > Math.max(rival, 0) + remaining;
  }
  if (strategy === 'best-of-n') return (leader.bestValue ?? -Infinity) >= 1;
  // Outlier-free OVM: a rival can win only if it can reach the minimum size and outscore the leader.
  const min = options.minClusterSize ?? 2;
  if ((leader.bestValue ?? -Infinity) >= 1) {
    // Nothing can outscore it; only a size-rule change could (leader is a singleton while all are singletons).
    return leader.count >= min;
  }
  const rivalCanQualify = others.some((c) => c.count + remaining >= min) || remaining >= min;
  if (rivalCanQualify) return false;
  // No rival can qualify; the leader stays chosen if it already qualifies.
  return leader.count >= min;
}
