/**
 * Streaming detokenization cost per decode step: 8 rows x 2,000 tokens, on the real
 * SentencePiece and Qwen tokenizers (tests/support/real-tokenizers.ts), three ways:
 *
 * - `newTokenOnly`: decode each row's new token alone (the baseline; wrong for SentencePiece: it loses spaces),
 * - `window`: workers/model/detokenize.ts (a few tokens of context, what the decoder does),
 * - `wholeRedecode`: decode each row's whole solution every step (TextStreamer without its newline reset).
 *
 *   npx tsx bench/decode-stream.bench.ts [--rows 8] [--tokens 2000]
 *
 * Writes bench/results/decode-stream.json: ms per step (all rows) at the start, middle and end of
 * the solutions and overall, and each method's ratio against `newTokenOnly` measured in the same run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { StreamDetokenizer } from '../workers/model/detokenize.ts';
import { realTokenizer, type RealTokenizerName } from '../tests/support/real-tokenizers.ts';

const option = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const ROWS = Number(option('--rows') ?? 8);
const TOKENS = Number(option('--tokens') ?? 2000);

const PARAGRAPH =
  'We need the total cost: 3 * 12 + 4 * 5 = 56, so $\\frac{56}{4} = 14$ per person; Größe ≤ 5 → 中文 🙂.\n' +
  '```python\nfrom sympy import *\nx = Rational(3, 4) * 12\nprint(x)\n```\n```output\n9\n```\n';

function solution(tokenizer: ReturnType<typeof realTokenizer>, row: number): number[] {
  const ids: number[] = [];
  for (let i = 0; ids.length < TOKENS; i += 1) ids.push(...tokenizer.encodeContinuation!(`Step ${row}.${i}: ${PARAGRAPH}`));
  return ids.slice(0, TOKENS);
}

type Method = 'newTokenOnly' | 'window' | 'wholeRedecode';

function measure(name: RealTokenizerName) {
  const t = realTokenizer(name);
  const rows = Array.from({ length: ROWS }, (_, r) => solution(t, r));
  const decode = (ids: number[]) => (ids.length ? t.decode(ids) : '');
  const result: Record<Method, { msPerStep: number; msPerStepFirst100: number; msPerStepLast100: number }> = {} as never;
  let texts: Record<Method, string> = {} as never;
  for (const method of ['newTokenOnly', 'window', 'wholeRedecode'] as Method[]) {
    const streams = rows.map(() => new StreamDetokenizer(decode));
    const out = rows.map(() => '');
    const perStep = new Float64Array(TOKENS);
    for (let step = 0; step < TOKENS; step += 1) {
      const t0 = performance.now();
      for (let r = 0; r < ROWS; r += 1) {
        const id = rows[r]![step]!;
        if (method === 'newTokenOnly') out[r] += decode([id]);
        else if (method === 'window') out[r] += streams[r]!.push([id]);
        else out[r] = decode(rows[r]!.slice(0, step + 1));
      }
      perStep[step] = performance.now() - t0;
    }
    const mean = (a: Float64Array) => a.reduce((x, y) => x + y, 0) / a.length;
    result[method] = { msPerStep: mean(perStep), msPerStepFirst100: mean(perStep.subarray(0, 100)), msPerStepLast100: mean(perStep.subarray(TOKENS - 100)) };
    texts = { ...texts, [method]: out.join('\u0000') };
  }
  const base = result.newTokenOnly.msPerStep;
  return {
    tokenizer: name,
    ...result,
    ratioAgainstNewTokenOnly: { window: result.window.msPerStep / base, wholeRedecode: result.wholeRedecode.msPerStep / base },
    windowEqualsWholeDecode: texts.window === rows.map((ids) => decode(ids)).join('\u0000'),
    newTokenOnlyEqualsWholeDecode: texts.newTokenOnly === rows.map((ids) => decode(ids)).join('\u0000'),
  };
}

const results = (['sentencepiece', 'qwen'] as RealTokenizerName[]).map(measure);
const report = {
  rows: ROWS,
  tokensPerRow: TOKENS,
  machine: `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), shared with other jobs while measured`,
  node: process.version,
  results,
};
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/decode-stream.json', `${JSON.stringify(report, null, 2)}\n`);
console.log(JSON.stringify(report, null, 2));
