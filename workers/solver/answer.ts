/**
 * Finding the final answer in a solution's text: MARIO's `Final Answer: $...$`
 * and the last `\boxed{...}` (balanced braces), whichever the format names.
 */

/** The content of the last `\boxed{...}` (or `\fbox{...}`), braces balanced; undefined if none. */
export function lastBoxed(text: string): string | undefined {
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
        if (depth === 0) return text.slice(open, i).trim();
      }
    }
  }
  // `\boxed 5` without braces.
  const bare = [...text.matchAll(/\\boxed\s+([^\s$]+)/g)].pop();
  return bare?.[1];
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

export type AnswerSource = 'final-answer' | 'boxed';

/** Extracts the answer, trying the given sources in order; undefined when the text states none. */
export function extractAnswer(text: string, sources: readonly AnswerSource[] = ['final-answer', 'boxed']): string | undefined {
  for (const source of sources) {
    const found = source === 'final-answer' ? finalAnswerLine(text) : lastBoxed(text);
    if (found !== undefined && found !== '') return found;
  }
  return undefined;
}
