/**
 * The symbolic half of the grader with real sympy in real Pyodide (Node): every
 * case of the table that the fast path leaves undecided is settled correctly.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { loadPyodide, type PyodideInterface } from 'pyodide';
import { answersEquivalent, sympyEqualityProgram, type SymbolicCheck } from '../../workers/solver/equivalence.ts';
import { GRADING_CASES } from './grading-cases.ts';

const SITE_PACKAGES = process.env.SYMPY_SITE_PACKAGES || '/usr/lib/python3/dist-packages';

/** The grader's sympy check on a fresh Pyodide in Node, with Debian's sympy mounted. */
async function sympyCheck(): Promise<SymbolicCheck> {
  if (!existsSync(`${SITE_PACKAGES}/sympy`)) {
    throw new Error(`sympy not found in ${SITE_PACKAGES}. Install it with: sudo apt-get install -y python3-sympy python3-mpmath`);
  }
  const pyodide: PyodideInterface = await loadPyodide();
  pyodide.FS.mkdirTree('/site');
  pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: SITE_PACKAGES }, '/site');
  pyodide.runPython("import sys; sys.dont_write_bytecode = True; sys.path.append('/site'); import sympy");
  return async (a, b) => {
    let out = '';
    pyodide.setStdout({ batched: (line) => (out += line) });
    await pyodide.runPythonAsync(sympyEqualityProgram(a, b));
    return out.trim() === 'True' ? true : out.trim() === 'False' ? false : undefined;
  };
}

describe('symbolic equivalence through sympy', () => {
  let symbolic: SymbolicCheck;
  beforeAll(async () => {
    symbolic = await sympyCheck();
  }, 120_000);

  const cases = GRADING_CASES.filter((c) => c[3] === 'symbolic');
  it.each(cases)('%s vs %s -> %s', async (pred, ref, equal) => {
    const verdict = await answersEquivalent(pred, ref, symbolic);
    expect(verdict.equal).toBe(equal);
    if (equal) expect(verdict.how).toBe('symbolic');
  });

  it('does not let an answer run code', async () => {
    // latexToSympy refuses quotes and dunders, so this never reaches Python.
    const verdict = await answersEquivalent('__import__("os").system("x")', 'x', symbolic);
    expect(verdict.equal).toBe(false);
  });
});

describe('letters that are variables are not units', () => {
  let symbolic: SymbolicCheck;
  beforeAll(async () => {
    symbolic = await sympyCheck();
  }, 120_000);

  it('keeps s in 75 s^5: right written another way, wrong with another power', async () => {
    expect((await answersEquivalent('75 \\cdot s^5', '75 s^{5}', symbolic)).equal).toBe(true);
    expect((await answersEquivalent('75s^5', '75 s^{5}', symbolic)).equal).toBe(true);
    expect((await answersEquivalent('75 s^{4}', '75 s^{5}', symbolic)).equal).toBe(false);
    expect((await answersEquivalent('75', '75 s^{5}', symbolic)).equal).toBe(false);
  });
  it('reads 29 j^2 as a product with j, not the complex number 29j', async () => {
    expect((await answersEquivalent('29 \\cdot j^{2}', '29 j^{2}', symbolic)).equal).toBe(true);
    expect((await answersEquivalent('-841', '29 j^{2}', symbolic)).equal).toBe(false);
  });
  it('never strips a letter the problem uses as a variable', async () => {
    expect((await answersEquivalent('5 m', '5', symbolic, { variables: ['m'] })).equal).toBe(false);
    expect((await answersEquivalent('5 m', '5', symbolic)).equal).toBe(true);
    expect((await answersEquivalent('12 \\text{ cm}', '12', symbolic)).equal).toBe(true);
  });
});
