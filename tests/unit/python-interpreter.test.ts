/** The interpreter's behaviour with real Pyodide and the packed sympy (Node). */
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { loadPyodide } from 'pyodide';
import { Interpreter } from '../../workers/python/interpreter.ts';

const ARCHIVE = 'public/pyodide/sympy.zip';
let py: Interpreter;

beforeAll(async () => {
  if (!existsSync(ARCHIVE)) throw new Error(`${ARCHIVE} is missing: run npm run prepare:python`);
  const pyodide = await loadPyodide();
  py = await Interpreter.create(pyodide, { runner: readFileSync('workers/python/runner.py', 'utf8'), packages: new Uint8Array(readFileSync(ARCHIVE)) });
  py.warmSympy();
}, 120_000);

describe('python interpreter', () => {
  it('prints arithmetic', () => {
    const r = py.run('a', 'print(17 * 23)');
    expect(r.output).toBe('391');
    expect(r.error).toBeUndefined();
  });

  it('shows the last expression when nothing is printed (MARIO)', () => {
    expect(py.run('a', 'x = 6\nx * 7').output).toBe('42');
    expect(py.run('a', 'None').output).toBe('');
    expect(py.run('a', 'print("shown")\n5').output).toBe('shown');
  });

  it('does exact fractions and sympy', () => {
    expect(py.run('a', 'from fractions import Fraction\nFraction(3, 4) + Fraction(1, 8)').output).toBe('Fraction(7, 8)');
    expect(py.run('a', 'from sympy import symbols, solve\nx = symbols("x")\nsolve(x**2 - 5*x + 6, x)').output).toBe('[2, 3]');
    expect(py.run('a', 'from sympy import simplify, sin, cos\nsimplify(sin(x)**2 + cos(x)**2)').output).toBe('1');
  });

  it('keeps variables across blocks of one solution, never across solutions', () => {
    py.run('s1', 'total = 99');
    expect(py.run('s1', 'print(total + 1)').output).toBe('100');
    const other = py.run('s2', 'print(total)');
    expect(other.error?.type).toBe('NameError');
    expect(other.output).toBe("NameError: name 'total' is not defined");
  });

  it('reports errors with their line in the solution', () => {
    const r = py.run('e', 'a = 1\nb = 0\nprint(a / b)');
    expect(r.error).toEqual({ type: 'ZeroDivisionError', message: 'division by zero', line: 3 });
    expect(r.output).toBe('ZeroDivisionError: division by zero');
    const s = py.run('e', 'x = (1 +\nprint(x)');
    expect(s.error?.type).toBe('SyntaxError');
    expect(s.error?.line).toBeGreaterThanOrEqual(1);
  });

  it('points at the line in the solution, also inside its functions and in the last expression', () => {
    expect(py.run('l', 'a = 1\nb = 2\nundefined_name + a').error).toEqual({ type: 'NameError', message: "name 'undefined_name' is not defined", line: 3 });
    const inner = py.run('l', 'def f(n):\n    return 10 // n\n\nprint(f(2))\nprint(f(0))');
    expect(inner.output).toBe('5\nZeroDivisionError: division by zero');
    expect(inner.error?.line).toBe(2);
    expect(py.run('l', 'import sympy\nsympy.sympify("2 +* 3")').error?.line).toBe(2);
  });

  it('captures stderr apart from the output', () => {
    const r = py.run('se', 'import sys\nprint("note", file=sys.stderr)\nprint("answer")');
    expect(r.output).toBe('answer');
    expect(r.stderr).toBe('note\n');
    expect(r.stdout).toBe('answer\n');
  });

  it('keeps output printed before an error', () => {
    expect(py.run('e2', 'print("step 1")\nraise ValueError("bad value")').output).toBe('step 1\nValueError: bad value');
  });

  it('handles unicode', () => {
    expect(py.run('u', 'print("π ≈", round(3.14159, 2), "✓ 数学")').output).toBe('π ≈ 3.14 ✓ 数学');
  });

  it('truncates long output to the limit', () => {
    const r = py.run('t', 'print("x" * 1000)', 400);
    expect(r.output).toBe(`${'x'.repeat(400)}...`);
    expect(r.truncated).toBe(true);
    expect(py.run('t', 'print("short")', 400).truncated).toBe(false);
  });

  it('survives SystemExit and recursion bombs', () => {
    expect(py.run('x', 'raise SystemExit(3)').error?.type).toBe('SystemExit');
    const r = py.run('x', 'def f(n):\n    return f(n + 1)\nf(0)');
    expect(r.error?.type).toBe('RecursionError');
    expect(py.run('x', 'print("alive")').output).toBe('alive');
  });

  it('turns a memory bomb into MemoryError and stays usable', () => {
    const r = py.run('m', 'x = []\nwhile True:\n    x.append(bytearray(50_000_000))');
    expect(r.error?.type).toBe('MemoryError');
    expect(r.output).toBe('MemoryError: out of memory');
    expect(py.run('m', 'del x\nprint(2 ** 10)').output).toBe('1024');
    expect(py.run('m', 'y = [0] * (10 ** 10)').error?.type).toMatch(/MemoryError|OverflowError/);
  }, 60_000);

  it("keeps each solution's files to itself and drops them when the solution ends", () => {
    py.run('f1', 'open("notes.txt", "w").write("secret")');
    expect(py.run('f1', 'print(open("notes.txt").read())').output).toBe('secret');
    expect(py.run('f2', 'import os\nprint(os.path.exists("notes.txt"))').output).toBe('False');
    const peek = py.run('f2', 'print(open("/sessions/f1/notes.txt").read())');
    expect(peek.error?.type).toBe('FileNotFoundError');
    py.closeSession('f1');
    expect(py.run('f1', 'import os\nprint(os.path.exists("notes.txt"))').output).toBe('False');
  });
});
