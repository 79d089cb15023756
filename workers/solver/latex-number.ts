/**
 * Evaluates a LaTeX arithmetic expression to a number when it has no unknowns:
 * integers, decimals, `a/b`, `\frac{a}{b}`, `\sqrt{x}`, `\sqrt[n]{x}`, `\pi`,
 * powers, `\cdot` / `\times` / `\div`, parentheses and implicit products (`2\sqrt{3}`).
 * Returns undefined for anything else (variables, text), never throws.
 */

type Token = { kind: 'num'; value: number } | { kind: 'op'; value: string } | { kind: 'cmd'; value: string };

const COMMANDS = new Set(['frac', 'sqrt', 'pi', 'cdot', 'times', 'div', 'infty']);

function tokenize(source: string): Token[] | undefined {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (/\s/.test(ch)) {
      i += 1;
    } else if (/[0-9.]/.test(ch)) {
      const match = /^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?/i.exec(source.slice(i));
      if (!match) return undefined;
      tokens.push({ kind: 'num', value: Number(match[0]) });
      i += match[0].length;
    } else if ('+-*/^(){}[]'.includes(ch)) {
      tokens.push({ kind: 'op', value: ch });
      i += 1;
    } else if (ch === '\\') {
      const match = /^\\([a-zA-Z]+)/.exec(source.slice(i));
      if (!match || !COMMANDS.has(match[1]!)) return undefined;
      tokens.push({ kind: 'cmd', value: match[1]! });
      i += match[0].length;
    } else if (ch === 'π') {
      tokens.push({ kind: 'cmd', value: 'pi' });
      i += 1;
    } else {
      return undefined;
    }
  }
  return tokens;
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): number | undefined {
    const value = this.expr();
    return this.pos === this.tokens.length ? value : undefined;
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private isOp(value: string): boolean {
    const t = this.peek();
    return t?.kind === 'op' && t.value === value;
  }

  private isCmd(value: string): boolean {
    const t = this.peek();
    return t?.kind === 'cmd' && t.value === value;
  }

  private expect(value: string): void {
    if (!this.isOp(value)) throw new SyntaxError(`expected ${value}`);
    this.pos += 1;
  }

  private expr(): number {
    let value = this.term();
    while (this.isOp('+') || this.isOp('-')) {
      const op = (this.tokens[this.pos++] as { value: string }).value;
      const right = this.term();
      value = op === '+' ? value + right : value - right;
    }
    return value;
  }

  private term(): number {
    let value = this.unary();
    for (;;) {
      if (this.isOp('*') || this.isCmd('cdot') || this.isCmd('times')) {
        this.pos += 1;
        value *= this.unary();
      } else if (this.isOp('/') || this.isCmd('div')) {
        this.pos += 1;
        value /= this.unary();
      } else if (this.startsAtom()) {
        value *= this.power();
      } else {
        return value;
      }
    }
  }

  private startsAtom(): boolean {
    const t = this.peek();
    if (!t) return false;
    if (t.kind === 'num') return true;
    if (t.kind === 'op') return t.value === '(' || t.value === '{';
    return t.value === 'frac' || t.value === 'sqrt' || t.value === 'pi' || t.value === 'infty';
  }

  private unary(): number {
    if (this.isOp('-')) {
      this.pos += 1;
      return -this.unary();
    }
    if (this.isOp('+')) {
      this.pos += 1;
      return this.unary();
    }
    return this.power();
  }

  private power(): number {
    const base = this.atom();
    if (this.isOp('^')) {
      this.pos += 1;
      const exponent = this.isOp('-') ? (this.pos++, -this.atom()) : this.atom();
      return base ** exponent;
    }
    return base;
  }

  private group(open: string, close: string): number {
    this.expect(open);
    const value = this.expr();
    this.expect(close);
    return value;
  }

  private atom(): number {
    const t = this.peek();
    if (!t) throw new SyntaxError('unexpected end');
    if (t.kind === 'num') {
      this.pos += 1;
      return t.value;
    }
    if (t.kind === 'op') {
      if (t.value === '(') return this.group('(', ')');
      if (t.value === '{') return this.group('{', '}');
      throw new SyntaxError(`unexpected ${t.value}`);
    }
    this.pos += 1;
    switch (t.value) {
      case 'pi':
        return Math.PI;
      case 'infty':
        return Infinity;
      case 'frac': {
        const numerator = this.fracArgument();
        const denominator = this.fracArgument();
        return numerator / denominator;
      }
      case 'sqrt': {
        const index = this.isOp('[') ? this.group('[', ']') : 2;
        const radicand = this.isOp('{') ? this.group('{', '}') : this.atom();
        return index === 2 ? Math.sqrt(radicand) : radicand ** (1 / index);
      }
      default:
        throw new SyntaxError(`unexpected \\${t.value}`);
    }
  }

  /** `\frac{a}{b}`, or the one-digit forms `\frac12`. */
  private fracArgument(): number {
    if (this.isOp('{')) return this.group('{', '}');
    const t = this.peek();
    if (t?.kind === 'num') {
      this.pos += 1;
      return t.value;
    }
    throw new SyntaxError('bad \\frac');
  }
}

export function evaluateLatexNumber(source: string): number | undefined {
  const tokens = tokenize(source);
  if (!tokens || tokens.length === 0) return undefined;
  try {
    const value = new Parser(tokens).parse();
    return value === undefined || Number.isNaN(value) ? undefined : value;
  } catch {
    return undefined;
  }
}
