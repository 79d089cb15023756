/**
 * Answer equivalence, as the MARIO_EVAL / ToRA graders decide it: normalise, compare
 * structure (tuples, intervals, sets), compare numbers with a relative tolerance of
 * 1e-4, then, for expressions that still differ, ask sympy (through the Python
 * sandbox) whether their difference simplifies to zero.
 *
 * One deliberate difference from ToRA: a number equals its value /100 or x100
 * only when one side carries a percent sign (ToRA always allows it, which would tell
 * a student that 50 and 0.5 are the same answer).
 */
import { cleanAnswer, shapeOf, type Cleaned, type Shape } from './normalize.ts';

export interface CompareOptions {
  /** Letters the problem uses as variables: never read as units (m, s, g, ...). */
  variables?: Iterable<string>;
}

export const RELATIVE_TOLERANCE = 1e-4;

export type How = 'identical' | 'normalised' | 'numeric' | 'percent' | 'structure' | 'symbolic' | 'different' | 'undecided';

export interface Verdict {
  equal: boolean;
  how: How;
}

/** Asks a symbolic engine whether two expressions (Python/sympy syntax) are equal; undefined when it cannot tell. */
export type SymbolicCheck = (a: string, b: string) => Promise<boolean | undefined>;

export function numbersClose(a: number, b: number, relativeTolerance = RELATIVE_TOLERANCE): boolean {
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(a - b) <= relativeTolerance * Math.max(Math.abs(a), Math.abs(b));
}

function shapesEqual(a: Shape, b: Shape): boolean | undefined {
  if (a.kind === 'number' && b.kind === 'number') return numbersClose(a.value, b.value);
  if (a.kind === 'expression' || b.kind === 'expression') {
    if (a.kind === 'expression' && b.kind === 'expression') return a.text === b.text ? true : undefined;
    if (a.kind === 'number' || b.kind === 'number') return undefined;
    return false;
  }
  if (a.kind === 'sequence' && b.kind === 'sequence') {
    if (a.open !== b.open || a.close !== b.close || a.items.length !== b.items.length) return false;
    return allEqual(a.items.map((item, i) => shapesEqual(item, b.items[i]!)));
  }
  if (a.kind === 'set' && b.kind === 'set') return unorderedEqual(a.items, b.items);
  if (a.kind === 'union' && b.kind === 'union') return unorderedEqual(a.parts, b.parts);
  return false;
}

function allEqual(results: Array<boolean | undefined>): boolean | undefined {
  if (results.some((r) => r === false)) return false;
  return results.every((r) => r === true) ? true : undefined;
}

function unorderedEqual(a: Shape[], b: Shape[]): boolean | undefined {
  if (a.length !== b.length) return false;
  const used = new Set<number>();
  let unsure = false;
  for (const item of a) {
    let matched = -1;
    for (let j = 0; j < b.length; j += 1) {
      if (used.has(j)) continue;
      const r = shapesEqual(item, b[j]!);
      if (r === true) {
        matched = j;
        break;
      }
      if (r === undefined) unsure = true;
    }
    if (matched < 0) return unsure ? undefined : false;
    used.add(matched);
  }
  return true;
}

/**
 * The fast, synchronous part: decides most pairs; 'undecided' means only a
 * symbolic check can tell (both are expressions that differ as text).
 */
export function compareAnswers(a: string, b: string, options: CompareOptions = {}): Verdict {
  if (a.trim() === b.trim()) return { equal: true, how: 'identical' };
  const [ca, cb] = cleanPair(a, b, options);
  if (ca.text === '' || cb.text === '') return { equal: false, how: 'different' };
  const sa = shapeOf(ca.text);
  const sb = shapeOf(cb.text);
  if (sa.kind === 'number' && sb.kind === 'number') {
    if (numbersClose(sa.value, sb.value)) return { equal: true, how: ca.text === cb.text ? 'normalised' : 'numeric' };
    if (ca.percent !== cb.percent) {
      const [plain, pct] = ca.percent ? [sb.value, sa.value] : [sa.value, sb.value];
      if (numbersClose(plain, pct / 100)) return { equal: true, how: 'percent' };
    }
    return { equal: false, how: 'different' };
  }
  if (ca.text === cb.text) return { equal: true, how: 'normalised' };
  const result = shapesEqual(sa, sb);
  if (result === true) return { equal: true, how: 'structure' };
  if (result === false) return { equal: false, how: 'different' };
  return { equal: false, how: 'undecided' };
}

/**
 * The letters a problem uses as variables: a single letter beside an operator or a bracket, or written
 * against a digit ("75 s^5", "3x + 2y = 12", "f(o)", "$t$"); not the article in "a rectangle", nor the
 * unit in "3 m by 4 m".
 */
export function problemVariables(problem: string): string[] {
  const found = new Set<string>();
  const operator = /[+\-*/^=()<>$,{}_|]/;
  for (const match of problem.matchAll(/(?<![A-Za-z\\])([A-Za-z])(?![A-Za-z])/g)) {
    const at = match.index;
    const before = problem.slice(0, at).trimEnd().slice(-1);
    const after = problem.slice(at + 1).trimStart().slice(0, 1);
    if (operator.test(before) || operator.test(after) || /\d/.test(problem[at - 1] ?? '') || /\d/.test(problem[at + 1] ?? '')) found.add(match[1]!);
  }
  return [...found];
}

/**
 * Both answers cleaned. A one-letter unit (m, s, g, l, h) is stripped from one side only when the other side is
 * a plain number (with or without a longer unit), and never when the problem uses the letter as a variable:
 * in `75 s^{5}` against `75 \cdot s^5`, s is a variable on both sides.
 */
function cleanPair(a: string, b: string, options: CompareOptions): [Cleaned, Cleaned] {
  const variables = [...(options.variables ?? [])];
  const plainNumber = (x: string) => shapeOf(cleanAnswer(x, { letterUnits: false, variables }).text).kind === 'number';
  return [cleanAnswer(a, { letterUnits: plainNumber(b), variables }), cleanAnswer(b, { letterUnits: plainNumber(a), variables })];
}

/** Full equivalence: the fast path, then the symbolic check for what it leaves undecided. */
export async function answersEquivalent(a: string, b: string, symbolic?: SymbolicCheck, options: CompareOptions = {}): Promise<Verdict> {
  const fast = compareAnswers(a, b, options);
  if (fast.how !== 'undecided' || !symbolic) return fast;
  const [ca, cb] = cleanPair(a, b, options);
  const sa = latexToSympy(ca.text);
  const sb = latexToSympy(cb.text);
  if (sa === undefined || sb === undefined) return fast;
  const equal = await symbolic(sa, sb).catch(() => undefined);
  if (equal === undefined) return fast;
  return { equal, how: equal ? 'symbolic' : 'different' };
}

function replaceCommandArgs(text: string, command: string, arity: number, render: (args: string[]) => string): string {
  let out = text;
  for (let guard = 0; guard < 50; guard += 1) {
    const index = out.lastIndexOf(`\\${command}`);
    if (index < 0) break;
    let i = index + command.length + 1;
    let optional: string | undefined;
    if (out[i] === '[') {
      const end = out.indexOf(']', i);
      if (end < 0) return out;
      optional = out.slice(i + 1, end);
      i = end + 1;
    }
    const args: string[] = [];
    for (let k = 0; k < arity; k += 1) {
      if (out[i] !== '{') {
        if (out[i] === undefined) return out;
        args.push(out[i]!);
        i += 1;
        continue;
      }
      let depth = 1;
      let j = i + 1;
      for (; j < out.length && depth > 0; j += 1) {
        if (out[j] === '{') depth += 1;
        else if (out[j] === '}') depth -= 1;
      }
      args.push(out.slice(i + 1, j - 1));
      i = j;
    }
    if (optional !== undefined) args.push(optional);
    out = out.slice(0, index) + render(args) + out.slice(i);
  }
  return out;
}

/** Converts a cleaned LaTeX expression to sympy's input syntax; undefined when it has constructs sympy cannot take. */
export function latexToSympy(text: string): string | undefined {
  let s = text;
  s = replaceCommandArgs(s, 'frac', 2, ([n, d]) => `((${n})/(${d}))`);
  s = replaceCommandArgs(s, 'sqrt', 1, ([x, index]) => (index === undefined ? `sqrt(${x})` : `((${x})**(1/(${index})))`));
  s = s
    .replace(/\\(?:cdot|times)/g, '*')
    .replace(/\\div/g, '/')
    .replace(/\\pi/g, ' pi ')
    .replace(/π/g, 'pi')
    .replace(/\\infty/g, 'oo')
    .replace(/\\ln/g, 'log')
    .replace(/\\(sin|cos|tan|log|exp)/g, '$1')
    .replace(/\^/g, '**')
    // A number against a letter is a product: 29j would be Python's complex literal, 310i a syntax error.
    .replace(/(\d)\s*(?=[jJ])/g, '$1*')
    .replace(/(\d)(?=[a-zA-Z_])/g, '$1*')
    .replace(/\{/g, '(')
    .replace(/\}/g, ')');
  if (/\\|[=<>&|;'"`]|__/.test(s)) return undefined;
  return s;
}

/** Python run in the sandbox for the symbolic check; prints True, False or None. */
export function sympyEqualityProgram(a: string, b: string): string {
  return [
    'from sympy import simplify, nsimplify',
    'from sympy.parsing.sympy_parser import parse_expr, standard_transformations, implicit_multiplication_application, convert_xor',
    '_t = standard_transformations + (implicit_multiplication_application, convert_xor)',
    'try:',
    `    _a = parse_expr(${JSON.stringify(a)}, transformations=_t, evaluate=True)`,
    `    _b = parse_expr(${JSON.stringify(b)}, transformations=_t, evaluate=True)`,
    '    print(simplify(nsimplify(_a) - nsimplify(_b)) == 0)',
    'except Exception:',
    '    print(None)',
  ].join('\n');
}
