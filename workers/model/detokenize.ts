/**
 * Streaming detokenization for one sequence: the text a new token adds is what decoding
 * a short window of the sequence's tokens gives beyond decoding the window without it.
 *
 * A tokenizer's decoder works on a whole sequence, not a token: Llama/Mistral SentencePiece
 * decoders end with `Strip(start=1)` (or Metaspace's prefix rule), which removes the leading
 * space of whatever is decoded, so decoding token by token loses every word's space; byte
 * fallback and byte-level BPE split a character over several tokens. transformers.js's
 * `TextStreamer` solves this by decoding the accumulated tokens and emitting only the new
 * suffix; it holds text back until a space or newline and restarts at each newline, which
 * would delay a stop string (`</code>`) and, after the restart, drop the space of a line
 * that starts with one. This follows the same idea with the offsets that text-generation-
 * inference and vLLM use (`prefix_offset`, `read_offset`): the window starts a few tokens
 * before the first unread one, so each step decodes a handful of tokens, whatever the length
 * of the solution, and text is emitted as soon as it does not end inside a UTF-8 character.
 */

/** Tokens of already emitted text kept before the unread ones (vLLM's INITIAL_INCREMENTAL_DETOKENIZATION_OFFSET). */
const CONTEXT = 5;
/**
 * Unread tokens after which text ending in U+FFFD is emitted anyway: a real replacement
 * character, not a character still incomplete (a UTF-8 character has at most 4 bytes).
 */
const MAX_PENDING = 8;

export class StreamDetokenizer {
  private readonly ids: number[];
  /** ids[prefix..read) is emitted context; ids[read..] not yet emitted. */
  private prefix: number;
  private read: number;
  private prefixText: string | undefined;

  /** `context`: tokens before the stream (the prompt's end), decoded only as context. */
  private readonly decode: (ids: number[]) => string;

  constructor(decode: (ids: number[]) => string, context: readonly number[] = []) {
    this.decode = (ids) => (ids.length === 0 ? '' : decode(ids));
    this.ids = context.slice(-CONTEXT);
    this.prefix = 0;
    this.read = this.ids.length;
  }

  /** Adds generated tokens; returns the text they complete ('' while a character is incomplete). */
  push(ids: readonly number[]): string {
    this.ids.push(...ids);
    return this.emit(false);
  }

  /** Adds tokens whose text the caller already has (appended code output): context, never emitted. */
  skip(ids: readonly number[]): void {
    this.ids.push(...ids);
    this.read = this.ids.length;
    this.prefix = Math.max(0, this.read - CONTEXT);
    this.prefixText = undefined;
  }

  /** Whatever is held back (an incomplete character at the end of the sequence). */
  flush(): string {
    return this.emit(true);
  }

  private emit(force: boolean): string {
    if (this.ids.length === this.read) return '';
    this.prefixText ??= this.decode(this.ids.slice(this.prefix, this.read));
    const text = this.decode(this.ids.slice(this.prefix));
    const complete = !text.endsWith('\uFFFD') || this.ids.length - this.read >= MAX_PENDING;
    if (!force && (!complete || text.length <= this.prefixText.length)) return '';
    const delta = text.startsWith(this.prefixText) ? text.slice(this.prefixText.length) : text.slice(commonPrefix(text, this.prefixText));
    this.read = this.ids.length;
    this.prefix = Math.max(0, this.read - CONTEXT);
    this.prefixText = undefined;
    return delta;
  }
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i += 1;
  return i;
}
