/**
 * `generate` (what the model worker runs) on real ONNX Runtime (Node, CPU): stop strings,
 * token budgets, end of text, cancellation and batched token events, on the random test
 * package and the demo package.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { BatchDecoder, type DecoderShape, type OrtLike, type SessionLike, type TokenizerLike } from '../../workers/model/decoder.ts';
import { generate } from '../../workers/model/generate.ts';
import { parseManifest, type Manifest } from '../../workers/model/manifest.ts';
import { loadTokenizer } from '../../workers/model/tokenizer.ts';
import type { ModelEvent } from '../../workers/contracts.ts';

interface Loaded {
  manifest: Manifest;
  session: SessionLike;
  tokenizer: TokenizerLike;
  shape: DecoderShape;
}

async function load(root: string, id: string): Promise<Loaded> {
  const manifest = parseManifest(JSON.parse(readFileSync(join(root, id, 'manifest.json'), 'utf8')));
  const session = (await ort.InferenceSession.create(join(root, id, 'onnx/model.onnx'))) as unknown as SessionLike;
  const tokenizer = await loadTokenizer(`${root}/`, id);
  const a = manifest.architecture;
  const shape = { numLayers: a.numLayers, numKvHeads: a.numKvHeads, headDim: a.headDim, vocabSize: a.vocabSize, eosTokenIds: manifest.tokens.eos, padTokenId: manifest.tokens.pad, hasValues: manifest.valueHead.present };
  return { manifest, session, tokenizer, shape };
}

const decoderFor = (m: Loaded) => new BatchDecoder(ort as unknown as OrtLike, m.session, m.tokenizer, m.shape, 'cpu');
const greedy = (seed: number) => ({ seed, temperature: 0, topP: 1 });

let tiny: Loaded;
let demo: Loaded;
beforeAll(async () => {
  tiny = await load(resolve('tests/fixtures/model'), 'tiny-random');
  demo = await load(resolve('models/packages'), 'demo-mario-tiny');
}, 60_000);

describe('generate', () => {
  it('ends each sequence at its token budget, with the tokens the decode loop chose', async () => {
    const ref = tiny.manifest.reference!;
    const result = await generate(decoderFor(tiny), { prompt: ref.prompt, samplers: [greedy(0), greedy(1)], maxNewTokens: 9 });
    for (const s of result.sequences) {
      expect(s).toMatchObject({ end: 'token-budget', tokens: ref.greedyTokens.slice(0, 9) });
      expect(s.text).toBe(tiny.tokenizer.decode(ref.greedyTokens.slice(0, 9)));
      expect(s.value).toBeTypeOf('number');
    }
    expect(result.tokensPerSecond).toBeGreaterThan(0);
  }, 60_000);

  it('stops a sequence at a stop string while the others go on', async () => {
    const ref = tiny.manifest.reference!;
    const full = tiny.tokenizer.decode(ref.greedyTokens.slice(0, 30));
    const stop = full.slice(Math.floor(full.length / 2), Math.floor(full.length / 2) + 3);
    const result = await generate(decoderFor(tiny), {
      prompt: ref.prompt,
      samplers: [greedy(0), { seed: 3, temperature: 1, topP: 1 }],
      maxNewTokens: 30,
      stop: [stop],
    });
    const [stopped, other] = result.sequences;
    expect(stopped!.end).toBe('stop');
    expect(stopped!.text).toContain(stop);
    expect(full.startsWith(stopped!.text)).toBe(true);
    // It stopped at the first token that completed the stop string.
    expect(tiny.tokenizer.decode(stopped!.tokens.slice(0, -1))).not.toContain(stop);
    expect(other!.tokens.length).toBeGreaterThan(stopped!.tokens.length);
  }, 60_000);

  it("ends at end of text with the value head's score there", async () => {
    const ref = demo.manifest.reference!;
    const result = await generate(decoderFor(demo), { prompt: ref.prompt, samplers: [greedy(0)], maxNewTokens: 400, stop: [] });
    const [s] = result.sequences;
    expect(s!.end).toBe('eos');
    expect(s!.tokens.at(-1)).toBe(demo.manifest.tokens.eos[0]);
    expect(s!.tokens.slice(0, ref.greedyTokens.length)).toEqual(ref.greedyTokens);
    expect(s!.value).toBeGreaterThanOrEqual(0);
    expect(s!.value).toBeLessThanOrEqual(1);
  }, 60_000);

  it('streams text in batches whose deltas add up to the result', async () => {
    const ref = tiny.manifest.reference!;
    const request = { prompt: ref.prompt, samplers: [greedy(0), { seed: 1, temperature: 1, topP: 0.9 }, { seed: 2, temperature: 1, topP: 0.9 }], maxNewTokens: 20 };
    for (const flushMs of [0, 60_000]) {
      const events: ModelEvent[] = [];
      const result = await generate(decoderFor(tiny), request, (e) => events.push(e), undefined, flushMs);
      const texts = ['', '', ''];
      for (const e of events) if (e.type === 'tokens') for (const d of e.deltas) texts[d.sequence] += d.text;
      expect(texts).toEqual(result.sequences.map((s) => s.text));
      // One event per step at most, or a single one when the interval outlasts the generation.
      expect(events.length).toBeLessThanOrEqual(flushMs === 0 ? 20 : 1);
    }
  }, 60_000);

  it('cancels every running sequence when the signal aborts', async () => {
    const ref = tiny.manifest.reference!;
    const controller = new AbortController();
    let steps = 0;
    const result = await generate(decoderFor(tiny), { prompt: ref.prompt, samplers: [greedy(0), greedy(1)], maxNewTokens: 200 }, () => {
      if (++steps === 3) controller.abort();
    }, controller.signal, 0);
    for (const s of result.sequences) {
      expect(s.end).toBe('cancelled');
      expect(s.tokens.length).toBe(3);
    }
  }, 60_000);
});
