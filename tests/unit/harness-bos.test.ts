/**
 * BOS handling as the format prescribes: MARIO's harness encodes prompts with the
 * tokenizer's `<s>` in front (vLLM adds special tokens), the others do not. The
 * solve loop passes the format's `bos` to the decoder, which prepends the tokenizer's
 * beginning-of-sequence token, and refuses when the tokenizer has none.
 */
import { join, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { BatchDecoder, type OrtLike, type SessionLike } from '../../workers/model/decoder.ts';
import { loadTokenizer, tokenizerFromFiles } from '../../workers/model/tokenizer.ts';
import { parseManifest } from '../../workers/model/manifest.ts';
import { FORMATS } from '../../workers/solver/formats.ts';

const root = resolve('models/packages');
const manifest = parseManifest(JSON.parse(readFileSync(join(root, 'demo-mario-tiny', 'manifest.json'), 'utf8')));
const a = manifest.architecture;
const shape = { numLayers: a.numLayers, numKvHeads: a.numKvHeads, headDim: a.headDim, vocabSize: a.vocabSize, eosTokenIds: manifest.tokens.eos, padTokenId: manifest.tokens.pad, hasValues: manifest.valueHead.present };

/** A word-level tokenizer whose tokenizer_config.json names `<s>` as its BOS token (as Llama's does). */
const withBos = tokenizerFromFiles(
  {
    version: '1.0', truncation: null, padding: null, normalizer: null, post_processor: null, decoder: null,
    added_tokens: [{ id: 5, content: '<s>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }],
    pre_tokenizer: { type: 'Whitespace' },
    model: { type: 'WordLevel', vocab: { '<s>': 5, '[UNK]': 6, Question: 7, ':': 8 }, unk_token: '[UNK]' },
  },
  { tokenizer_class: 'PreTrainedTokenizer', bos_token: '<s>', eos_token: '<s>' },
);

describe('beginning-of-sequence token', () => {
  it('follows each reference harness: MARIO adds it, Qwen and the demo layout do not', () => {
    expect(FORMATS['mario-react'].bos).toBe(true);
    expect(FORMATS['qwen25-math-tir'].bos).toBe(false);
    expect(FORMATS.mario.bos).toBe(false);
  });

  it('is read from tokenizer_config.json and prepended to the prompt only when the format asks', async () => {
    expect(withBos.bosTokenId).toBe(5);
    const session = (await ort.InferenceSession.create(join(root, 'demo-mario-tiny', 'onnx/model.onnx'))) as unknown as SessionLike;
    const fed = async (bos: boolean) => {
      const decoder = new BatchDecoder(ort as unknown as OrtLike, session, withBos, shape, 'cpu');
      await decoder.start('Question :', [{ seed: 1, temperature: 0, topP: 1 }], { bos });
      const tokens = decoder.stats.fedTokens;
      await decoder.dispose();
      return tokens;
    };
    expect(withBos.encode('Question :')).toEqual([7, 8]);
    expect(await fed(false)).toBe(2);
    expect(await fed(true)).toBe(3);
  });

  it('is refused, in words, for a tokenizer that has none', async () => {
    const demoTokenizer = await loadTokenizer(`${root}/`, 'demo-mario-tiny');
    expect(demoTokenizer.bosTokenId).toBeUndefined();
    const session = (await ort.InferenceSession.create(join(root, 'demo-mario-tiny', 'onnx/model.onnx'))) as unknown as SessionLike;
    const decoder = new BatchDecoder(ort as unknown as OrtLike, session, demoTokenizer, shape, 'cpu');
    await expect(decoder.start('Question:', [{ seed: 1, temperature: 0, topP: 1 }], { bos: true })).rejects.toThrow(/beginning-of-sequence token, and its tokenizer has none/);
  });
});
