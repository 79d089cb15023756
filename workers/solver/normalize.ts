/**
 * Answer normalisation: turns the many ways an answer is written ("$1,000", "50\%",
 * "\dfrac{1}{2}", "x = 5 \text{ cm}", "[2, 5)") into a structured form that
 * `equivalence.ts` compares. Pure functions, no I/O.
 */
import { evaluateLatexNumber } from './latex-number.ts';

export interface Cleaned {
  /** The answer with delimiters, spacing commands, text wrappers, units, currency and % removed. */
  text: string;
  /** A percent sign was present. */
  percent: boolean;
}

export type Shape =
  | { kind: 'number'; value: number; text: string }
  | { kind: 'expression'; text: string }
  | { kind: 'sequence'; open: string; close: string; items: Shape[] }
  | { kind: 'set'; items: Shape[] }
  | { kind: 'union'; parts: Shape[] };

const UNIT_WORDS =
  'units?|dollars?|cents?|euros?|pounds?|yen|usd|cm|mm|km|meters?|metres?|centimeters?|kilometers?|inches|inch|in|feet|foot|ft|yards?|miles?|mph|kg|grams?|kilograms?|lbs?|ounces?|oz|liters?|litres?|ml|gallons?|hours?|hrs?|minutes?|mins?|seconds?|secs?|days?|weeks?|months?|years?|degrees?|sq|square|cubic|per|each|points?|people|persons?|students?|apples?|items?|pieces?|times';
/** Units of one letter (metres, grams, litres, hours, seconds): also the commonest names of variables. */
const LETTER_UNITS = ['m', 'g', 'l', 'h', 's'];

export interface CleanOptions {
  /** Strip units of one letter (m, g, l, h, s) after a number; default true. */
  letterUnits?: boolean;
  /** Letters the problem uses as variables: never units. */
  variables?: Iterable<string>;
}

function unwrapCommand(text: string, command: string): string {
  const pattern = new RegExp(`\\\\${command}\\s*\\{`, 'g');
  let out = text;
  for (let guard = 0; guard < 20; guard += 1) {
    pattern.lastIndex = 0;
    const match = pattern.exec(out);
    if (!match) break;
    const open = match.index + match[0].length;
    let depth = 1;
    let i = open;
    for (; i < out.length && depth > 0; i += 1) {
      if (out[i] === '{') depth += 1;
      else if (out[i] === '}') depth -= 1;
    }
    out = out.slice(0, match.index) + out.slice(open, i - 1) + out.slice(i);
  }
  return out;
}

export function cleanAnswer(raw: string, options: CleanOptions = {}): Cleaned {
  let s = raw.trim();
  // Outer math delimiters.
  for (let changed = true; changed; ) {
    const before = s;
    s = s.replace(/^\$+([\s\S]*?)\$+$/, '$1').replace(/^\\\(([\s\S]*)\\\)$/, '$1').replace(/^\\\[([\s\S]*)\\\]$/, '$1').trim();
    if (/^\\boxed\s*\{[\s\S]*\}$/.test(s)) s = unwrapCommand(s, 'boxed').trim();
    changed = s !== before;
  }
  s = s.replace(/\\(?:left|right|big|Big|bigg|Bigg)(?![a-zA-Z])/g, '');
  s = s.replace(/\\displaystyle/g, '').replace(/\\[dt]frac/g, '\\frac');
  s = s.replace(/\{,\}/g, ',');
  s = s.replace(/\\[,;:! ]/g, ' ').replace(/~/g, ' ');
  for (const command of ['text', 'textbf', 'textit', 'mathrm', 'mathbf', 'mbox', 'operatorname']) s = unwrapCommand(s, command);
  // Degrees.
  s = s.replace(/\^\s*\{?\\circ\}?/g, '').replace(/\\circ/g, '').replace(/°/g, '');
  // Percent.
  let percent = false;
  if (/\\?%/.test(s)) {
    percent = true;
    s = s.replace(/\\?%/g, '');
  }
  if (/\s*percent\s*$/i.test(s)) {
    percent = true;
    s = s.replace(/\s*percent\s*$/i, '');
  }
  // Currency.
  s = s.replace(/\\\$/g, '').replace(/\$/g, '').replace(/[€£¥]/g, '').replace(/\bUSD\b/gi, '');
  s = s.trim();
  // "x = 5", "\theta = 30" (a single equation whose left side is a name).
  const assignment = /^\\?[a-zA-Z]+(?:_\{?\w+\}?)?\s*=\s*([^=]+)$/.exec(s);
  if (assignment) s = assignment[1]!.trim();
  // "x \in [-2, 7]": the set is the answer.
  const membership = /^\\?[a-zA-Z]+\s*\\in\s*(.+)$/.exec(s);
  if (membership) s = membership[1]!.trim();
  // 4210_{5} and 4210_5: one way to write a base.
  s = s.replace(/_\{(\w+)\}/g, '_$1');
  // Trailing units after a number ("12 apples", "5 cm^2", "3.5 hours", "20 km/h").
  // A letter is a unit only with no power or a square or cube (m^2, not s^5), and never when it is a variable.
  const variables = new Set(options.variables ?? []);
  const letters = options.letterUnits === false ? [] : LETTER_UNITS.filter((u) => !variables.has(u));
  const words = letters.length ? `${UNIT_WORDS}|${letters.join('|')}` : UNIT_WORDS;
  const unit = new RegExp(`^([-+]?[\\d.,/]+(?:\\\\frac\\{\\d+\\}\\{\\d+\\})?)\\s*(?:(?:${words})(?:\\^\\{?[23]\\}?)?(?![a-zA-Z^])(?:\\s*/\\s*(?:${words}))?\\s*)+\\.?$`, 'i');
  const withUnit = unit.exec(s);
  if (withUnit) s = withUnit[1]!;
  s = s.replace(/\.$/, '').trim();
  // Thousands separators: 1,234,567.89 (and 1 234 567).
  if (/^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$/.test(s)) s = s.replace(/,/g, '');
  if (/^[-+]?\d{1,3}( \d{3})+(\.\d+)?$/.test(s)) s = s.replace(/ /g, '');
  // Remaining spaces carry no meaning in math.
  // (keeping one space where it ends a command name: `\pi r` is not `\pir`).
  s = s.replace(/(\\[a-zA-Z]+)\s+(?=[a-zA-Z])/g, '$1\u0000').replace(/\s+/g, '').replace(/\u0000/g, ' ');
  // \frac12 -> \frac{1}{2}, \frac1{x} -> \frac{1}{x}, \sqrt2 -> \sqrt{2}.
  s = s.replace(/\\frac(\d)(\d)/g, '\\frac{$1}{$2}').replace(/\\frac(\d)\{/g, '\\frac{$1}{').replace(/\\frac\{([^{}]*)\}(\d)/g, '\\frac{$1}{$2}');
  s = s.replace(/\\sqrt(\d+)/g, '\\sqrt{$1}');
  // .5 -> 0.5
  s = s.replace(/(^|[^\d])\.(\d)/g, '$10.$2');
  // Leading "+".
  s = s.replace(/^\+/, '');
  return { text: s, percent };
}

/** Splits on top-level commas (outside brackets and braces). */
export function splitTopLevel(text: string, separator = ','): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i]!;
    if ('([{'.includes(ch)) depth += 1;
    else if (')]}'.includes(ch)) depth -= 1;
    else if (depth === 0 && text.startsWith(separator, i)) {
      parts.push(text.slice(start, i));
      start = i + separator.length;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function isWrapped(text: string, open: string, close: string): boolean {
  if (!text.startsWith(open) || !text.endsWith(close)) return false;
  let depth = 0;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i]!;
    if ('([{'.includes(ch)) depth += 1;
    else if (')]}'.includes(ch)) depth -= 1;
    if (depth === 0 && i < text.length - 1) return false;
  }
  return true;
}

function scalar(text: string): Shape {
  const value = evaluateLatexNumber(text);
  if (value !== undefined) return { kind: 'number', value, text };
  return { kind: 'expression', text };
}

/** The structure of a cleaned answer. */
export function shapeOf(text: string): Shape {
  if (text.includes('\\cup')) {
    const parts = text.split('\\cup').map((part) => shapeOf(part));
    return { kind: 'union', parts };
  }
  if (text.startsWith('\\{') && text.endsWith('\\}')) {
    const inner = text.slice(2, -2);
    return { kind: 'set', items: inner === '' ? [] : splitTopLevel(inner).map(scalar) };
  }
  const open = text[0];
  const close = text[text.length - 1];
  if ((open === '(' || open === '[') && (close === ')' || close === ']') && isWrapped(text, open, close)) {
    const items = splitTopLevel(text.slice(1, -1));
    if (items.length > 1) return { kind: 'sequence', open, close, items: items.map(scalar) };
    if (open === '(' && close === ')') return shapeOf(text.slice(1, -1));
  }
  const items = splitTopLevel(text);
  if (items.length > 1) return { kind: 'set', items: items.map(scalar) };
  return scalar(text);
}
