/**
 * Finding the final answer in what the model wrote: MARIO's `Final Answer: $...$`
 * and the last `\boxed{...}` (balanced braces), whichever the format names.
 */
import type { AnswerSource } from '../types.ts';

/** The last `\boxed{...}` (or `\fbox{...}`), braces balanced, and where it starts; undefined if none. */
function lastBoxedAt(text: string): { value: string; at: number } | undefined {
  const starts = [...text.matchAll(/\\(?:boxed|fbox)\s*\{/g)];
  for (let m = starts.length - 1; m >= 0; m -= 1) {
    const match = starts[m]!;
    const open = match.index + match[0].length;
    let depth = 1;
    for (let i = open; i < text.length; i += 1) {
      const ch = text[i];
      if (ch === '{') depth += 1;
      else if (ch === '}') {
        depth -= 1;
        if (depth === 0) return { value: text.slice(open, i).trim(), at: match.index };
      }
    }
  }
  // `\boxed 5` without braces.
  const bare = [...text.matchAll(/\\boxed\s+([^\s$]+)/g)].pop();
  return bare ? { value: bare[1]!, at: bare.index } : undefined;
}

/** The content of the last `\boxed{...}` (or `\fbox{...}`), braces balanced; undefined if none. */
export function lastBoxed(text: string): string | undefined {
  return lastBoxedAt(text)?.value;
}

/** The answer after the last `Final Answer:`, with its `$...$` or `\(...\)` delimiters removed. */
export function finalAnswerLine(text: string): string | undefined {
  const index = text.lastIndexOf('Final Answer:');
  if (index < 0) return undefined;
  let rest = text.slice(index + 'Final Answer:'.length);
  const end = rest.search(/\n|<\/p>/);
  if (end >= 0) rest = rest.slice(0, end);
  rest = rest.trim();
  const boxed = lastBoxed(rest);
  if (boxed !== undefined) return boxed;
  const dollars = /^\$\$?([\s\S]*?)\$?\$\s*\.?$/.exec(rest);
  if (dollars) return dollars[1]!.trim();
  const paren = /^\\\(([\s\S]*?)\\\)\s*\.?$/.exec(rest);
  if (paren) return paren[1]!.trim();
  const trimmed = rest.replace(/\.\s*$/, '').trim();
  return trimmed === '' ? undefined : trimmed;
}

export type { AnswerSource } from '../types.ts';

/**
 * The answer the text states last among the given sources (a `\boxed{}` written after
 * a final-answer line wins, and the other way round); undefined when it states none.
 * Pass only what the model wrote: code output is not the model's answer.
 */
export function extractAnswer(text: string, sources: readonly AnswerSource[] = ['final-answer', 'boxed']): string | undefined {
  let best: { value: string; at: number } | undefined;
  for (const source of sources) {
    const found =
      source === 'final-answer'
        ? ((value) => (value === undefined ? undefined : { value, at: text.lastIndexOf('Final Answer:') }))(finalAnswerLine(text))
        : lastBoxedAt(text);
    if (found === undefined || found.value === '') continue;
    if (!best || found.at > best.at) best = found;
  }
  return best?.value;
}
