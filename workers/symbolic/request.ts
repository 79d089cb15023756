/**
 * Turns a problem as the student typed it into the symbolic solver's request: the words, with each
 * LaTeX span replaced by ⟦k⟧, and each span parsed to MathJSON by Compute Engine's LaTeX parser
 * (`@cortex-js/compute-engine/latex-syntax`: the parser alone, without the engine). Plain-text math
 * stays in the words; Python reads it with sympy's parse_expr.
 */
import { parse } from '@cortex-js/compute-engine/latex-syntax';

export type MathJson = number | string | { [key: string]: unknown } | MathJson[];

export interface SymbolicRequest {
  /** The problem with LaTeX spans replaced by ⟦0⟧, ⟦1⟧, ... */
  text: string;
  math: Array<{ latex: string; json: MathJson }>;
}

/** $$...$$, $...$, \[...\], \(...\), and the align-style environments MATH500 uses. */
const SPAN = /\$\$([\s\S]+?)\$\$|\$([^$]+?)\$|\\\[([\s\S]+?)\\\]|\\\(([\s\S]+?)\\\)|\\begin\{(align\*?|equation\*?)\}([\s\S]+?)\\end\{\5\}/g;

function clean(latex: string): string {
  return latex
    .replace(/\\!|\\,|\\;|\\:|~/g, ' ')
    .replace(/\\(?:left|right)(?=[.()[\]|])/g, '')
    .replace(/\\left\\\{/g, '\\{')
    .replace(/\\right\\\}/g, '\\}')
    .replace(/\\right\./g, '')
    .replace(/\\left\./g, '')
    .replace(/\\dfrac|\\tfrac/g, '\\frac')
    .replace(/\\dbinom|\\tbinom/g, '\\binom')
    .replace(/&|\\\\/g, ' ')
    .replace(/[.,;:]\s*$/, '')
    .trim();
}

function parsed(latex: string): { latex: string; json: MathJson } {
  const source = clean(latex);
  return { latex: source, json: parse(source) as MathJson };
}

/** Whether the text holds LaTeX without dollar signs: a backslash command or ^{...}. */
function looksLikeLatex(text: string): boolean {
  return /\\[a-zA-Z]+|\^\{|_\{/.test(text);
}

export function symbolicRequest(problem: string): SymbolicRequest {
  const math: SymbolicRequest['math'] = [];
  let text: string;
  if (/\$|\\\[|\\\(|\\begin\{/.test(problem)) {
    text = problem.replace(SPAN, (...groups: string[]) => {
      const body = groups[1] ?? groups[2] ?? groups[3] ?? groups[4] ?? groups[6] ?? '';
      // "Solve for $x: E$": words inside the span; keep the words outside it.
      const lead = /^\s*([a-zA-Z])\s*:\s*(.+)$/s.exec(body);
      if (lead) {
        math.push(parsed(lead[2]!));
        return `${lead[1]}: ⟦${math.length - 1}⟧`;
      }
      math.push(parsed(body));
      return ` ⟦${math.length - 1}⟧ `;
    });
  } else if (looksLikeLatex(problem)) {
    // Pasted LaTeX without delimiters: the math is what follows the words (after a colon, or all of it).
    const colon = problem.lastIndexOf(':');
    const words = colon >= 0 ? problem.slice(0, colon + 1) : '';
    math.push(parsed(problem.slice(colon + 1)));
    text = `${words} ⟦0⟧`;
  } else {
    text = problem;
  }
  return { text: text.replace(/\s+/g, ' ').trim(), math };
}
