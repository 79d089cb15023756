/**
 * How often two runs of `npm run eval -- --solver auto` disagree, draw by draw (same problem, same seed):
 * typically the Node engine against the page's own pipeline in Chromium.
 *
 *   npx tsx scripts/compare-engines.ts a.trace.jsonl b.trace.jsonl [--out bench/results/engines-x.json]
 *
 * A draw disagrees on the answer when what the student would be shown differs (an answer against none, or two
 * different answers), and on the confidence when the level differs. Draws present in only one file are counted,
 * not compared.
 */
import { readFileSync, writeFileSync } from 'node:fs';

interface Draw { id: string; seed: number; answer: string | null; confidence: string; correct: boolean }

function read(file: string): Map<string, Draw> {
  const draws = new Map<string, Draw>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const d = JSON.parse(line) as Draw;
    draws.set(`${d.id}#${d.seed}`, d);
  }
  return draws;
}

const [fileA, fileB] = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--out');
const outIndex = process.argv.indexOf('--out');
const outFile = outIndex > 0 ? process.argv[outIndex + 1] : undefined;
if (!fileA || !fileB) {
  console.error('Usage: npx tsx scripts/compare-engines.ts a.trace.jsonl b.trace.jsonl [--out file.json]');
  process.exit(2);
}
const a = read(fileA);
const b = read(fileB);
const both = [...a.keys()].filter((k) => b.has(k));
const shown = (d: Draw) => (d.confidence === 'not-sure' ? null : d.answer);
const answerDiffers = both.filter((k) => shown(a.get(k)!) !== shown(b.get(k)!));
const confidenceDiffers = both.filter((k) => a.get(k)!.confidence !== b.get(k)!.confidence);
const pct = (n: number) => (both.length ? Math.round((1000 * n) / both.length) / 10 : null);
const summary = {
  a: fileA,
  b: fileB,
  compared: both.length,
  onlyInA: a.size - both.length,
  onlyInB: b.size - both.length,
  shownAnswerDiffers: answerDiffers.length,
  shownAnswerDiffersPct: pct(answerDiffers.length),
  confidenceDiffers: confidenceDiffers.length,
  confidenceDiffersPct: pct(confidenceDiffers.length),
  shownA: both.filter((k) => shown(a.get(k)!) !== null).length,
  shownB: both.filter((k) => shown(b.get(k)!) !== null).length,
  examples: answerDiffers.slice(0, 10).map((k) => ({
    draw: k,
    a: { answer: shown(a.get(k)!), confidence: a.get(k)!.confidence },
    b: { answer: shown(b.get(k)!), confidence: b.get(k)!.confidence },
  })),
};
console.log(JSON.stringify(summary, null, 2));
if (outFile) writeFileSync(outFile, JSON.stringify(summary, null, 2) + '\n');
