/**
 * Checks a typed or pasted problem before anything is solved, with a friendly
 * message for each way it can be unusable. Pure; the LaTeX check uses KaTeX.
 */
import katex from 'katex';

export const MAX_PROBLEM_CHARS = 4_000;

export type ProblemIssue = 'empty' | 'too-long' | 'not-math' | 'bad-latex';

export interface ProblemCheck {
  ok: boolean;
  /** The problem as it will be solved (trimmed, whitespace tidied). */
  text: string;
  issue?: ProblemIssue;
  message?: string;
}

/** `$...$` and `\(...\)` spans, in order. */
export function inlineMathSpans(text: string): string[] {
  const spans: string[] = [];
  const pattern = /\$\$([\s\S]+?)\$\$|\$([^$]+?)\$|\\\(([\s\S]+?)\\\)/g;
  for (const m of text.matchAll(pattern)) {
    const span = (m[1] ?? m[2] ?? m[3])!;
    if (m[2] !== undefined && /^\d/.test(span) && /\s/.test(span.trim())) continue; // "$12 for ... $5": prices
    spans.push(span);
  }
  return spans;
}

function looksLikeMath(text: string): boolean {
  if (/\d/.test(text)) return true;
  if (/[=+\-*/^<>≤≥√π∑∫]|\\[a-zA-Z]+/.test(text)) return true;
  return /\b(how many|how much|what is|solve|find|compute|calculate|evaluate|simplify|prove|probability|area|volume|percent|average|sum|product|equation|integer|fraction|triangle|circle|angle|ratio)\b/i.test(text);
}

export function checkProblem(raw: string): ProblemCheck {
  const text = raw.replace(/\r\n?/g, '\n').replace(/[ \t]+/g, ' ').replace(/\n{3,}/g, '\n\n').trim();
  if (text === '') {
    return { ok: false, text, issue: 'empty', message: 'Type or paste a math problem first.' };
  }
  if (text.length > MAX_PROBLEM_CHARS) {
    return {
      ok: false,
      text,
      issue: 'too-long',
      message: `That is ${text.length.toLocaleString('en')} characters; a problem can be at most ${MAX_PROBLEM_CHARS.toLocaleString('en')}. Paste just the one problem you want solved.`,
    };
  }
  const dollars = (text.match(/(?<!\\)\$/g) ?? []).length;
  const prices = (text.match(/(?<!\\)\$\d/g) ?? []).length;
  const unbalanced = dollars % 2 === 1 && prices === 0;
  if (unbalanced) {
    return { ok: false, text, issue: 'bad-latex', message: 'A "$" has no partner, so the math in your problem cannot be read. Close every $...$ pair (write \\$ for a dollar sign).' };
  }
  for (const span of inlineMathSpans(text)) {
    try {
      katex.renderToString(span, { throwOnError: true, strict: 'ignore' });
    } catch (error) {
      const detail = error instanceof Error ? error.message.replace(/^KaTeX parse error: /, '') : String(error);
      return { ok: false, text, issue: 'bad-latex', message: `The math "${span.slice(0, 60)}" cannot be read: ${detail}` };
    }
  }
  if (!looksLikeMath(text)) {
    return {
      ok: false,
      text,
      issue: 'not-math',
      message: 'This does not look like a math problem: it has no numbers, symbols or math words. Try something like "What is 15% of 80?"',
    };
  }
  return { ok: true, text };
}
