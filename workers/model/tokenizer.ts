/** The package's tokenizer.json through transformers.js, offline, as the decoder needs it. */
import { AutoTokenizer, env } from '@huggingface/transformers';
import type { TokenizerLike } from './decoder.ts';

/**
 * `root` is a path (browser: '/models/'; Node: a folder ending in '/'); `id` the package folder.
 * transformers.js must not look anywhere else.
 */
export async function loadTokenizer(root: string, id: string): Promise<TokenizerLike> {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = root;
  const tokenizer = await AutoTokenizer.from_pretrained(id);
  return {
    encode: (text) => tokenizer.encode(text, { add_special_tokens: false }),
    decode: (ids) => tokenizer.decode(ids, { skip_special_tokens: true }),
  };
}
