/** The package's tokenizer.json through transformers.js, offline, as the decoder needs it. */
import * as transformers from '@huggingface/transformers';
import { AutoTokenizer, env, PreTrainedTokenizer } from '@huggingface/transformers';
import type { TokenizerLike } from './decoder.ts';

/**
 * `root` is a path (browser: '/models/'; Node: a folder ending in '/'); `id` the package folder.
 * transformers.js must not look anywhere else.
 */
export async function loadTokenizer(root: string, id: string): Promise<TokenizerLike> {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = root;
  return wrap(await AutoTokenizer.from_pretrained(id));
}

/**
 * A tokenizer from the package's tokenizer.json and tokenizer_config.json as parsed objects
 * (files the loader downloaded and verified itself, from any host), built as
 * `AutoTokenizer` builds it: the class named by `tokenizer_class`, "Fast" dropped.
 */
export function tokenizerFromFiles(tokenizerJson: object, tokenizerConfig: Record<string, unknown>): TokenizerLike {
  const name = typeof tokenizerConfig.tokenizer_class === 'string' ? tokenizerConfig.tokenizer_class.replace(/Fast$/, '') : 'PreTrainedTokenizer';
  const found = (transformers as unknown as Record<string, unknown>)[name];
  const Cls = (typeof found === 'function' && (found === PreTrainedTokenizer || found.prototype instanceof PreTrainedTokenizer) ? found : PreTrainedTokenizer) as typeof PreTrainedTokenizer;
  return wrap(new Cls(tokenizerJson, tokenizerConfig));
}

function wrap(tokenizer: PreTrainedTokenizer): TokenizerLike {
  const encode = (text: string) => tokenizer.encode(text, { add_special_tokens: false });
  // A SentencePiece tokenizer marks the start of a text as a word start ('\n' alone becomes '▁', '<0x0A>').
  // Text that continues a sequence is encoded after a newline, which no token crosses, and the newline's tokens dropped.
  const anchor = encode('\n');
  const encodeContinuation = (text: string) => {
    if (anchor.length < 2) return encode(text);
    const ids = encode(`\n${text}`);
    return anchor.every((id, i) => ids[i] === id) ? ids.slice(anchor.length) : encode(text);
  };
  return {
    encode,
    encodeContinuation,
    decode: (ids) => tokenizer.decode(ids, { skip_special_tokens: true }),
    ...bos(tokenizer),
  };
}

/** The tokenizer's beginning-of-sequence token id (tokenizer_config.json's `bos_token`), when it has one. */
function bos(tokenizer: PreTrainedTokenizer): { bosTokenId?: number } {
  return typeof tokenizer.bos_token_id === 'number' ? { bosTokenId: tokenizer.bos_token_id } : {};
}
