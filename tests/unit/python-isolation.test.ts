/**
 * Isolation between solutions in Node (real Pyodide, FreshInterpreters: the path the
 * Node evaluation uses): no solution reads or changes another's state.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { loadPyodide } from 'pyodide';
import { FreshInterpreters, pyodideFactory } from '../../workers/python/fresh.ts';
import { sympyEqualityProgram } from '../../workers/solver/equivalence.ts';
import { CHANGES, GRADER_FORGE, READS, changeScenarios, readScenarios } from './python-isolation-cases.ts';

const ARCHIVE = 'public/pyodide/sympy.zip';
let python: FreshInterpreters;

beforeAll(async () => {
  if (!existsSync(ARCHIVE)) throw new Error(`${ARCHIVE} is missing: run npm run prepare:python`);
  python = await FreshInterpreters.create((o) => loadPyodide(o), await pyodideFactory(), {
    runner: readFileSync('workers/python/runner.py', 'utf8'),
    packages: new Uint8Array(readFileSync(ARCHIVE)),
    wasm: new Uint8Array(readFileSync('node_modules/pyodide/pyodide.asm.wasm')),
  });
}, 120_000);

describe('isolation between solutions (Node)', () => {
  it('refuses to run code when a fresh interpreter cannot be restored', async () => {
    // A snapshot Pyodide rejects (as one from another build would be): the magic number is damaged.
    const snapshot = (python as unknown as { snapshot: { memory: ArrayBuffer } }).snapshot;
    const header = new Uint32Array(snapshot.memory, 0, 1);
    const magic = header[0]!;
    header[0] = magic ^ 0xffff;
    try {
      const refused = await python.run('refused', 'print(1)').then(
        () => undefined,
        (error: Error) => error,
      );
      expect(refused?.name).toBe('PythonIsolationError');
      expect(refused?.message).toMatch(/could not start a fresh interpreter/);
    } finally {
      header[0] = magic;
    }
    expect((await python.run('accepted', 'print(1)')).output).toBe('1');
  });

  it('keeps variables across the blocks of one solution, with sympy and files', async () => {
    await python.run('one', 'from sympy import symbols, solve\nx = symbols("x")\nopen("f.txt", "w").write("kept")');
    const r = await python.run('one', 'print(solve(x**2 - 9, x), open("f.txt").read())');
    expect(r.output).toBe('[-3, 3] kept');
    await python.closeSession('one');
  });

  for (const read of READS) {
    it(`cannot read another solution's ${read.name}`, async () => {
      expect(await readScenarios(python, read.code)).toEqual([read.expect, read.expect]);
    });
  }

  for (const change of CHANGES) {
    it(`cannot change another solution: ${change.name}`, async () => {
      expect(await changeScenarios(python, change.attack, change.check)).toEqual(Array(4).fill(change.expect));
    });
  }

  it('a later grading program in a fresh session is not forged by a hostile one', async () => {
    await python.run('hostile', GRADER_FORGE);
    expect((await python.run('grader', sympyEqualityProgram('1', '2'))).output).toBe('False');
    expect((await python.run('grader2', sympyEqualityProgram('2', '4/2'))).output).toBe('True');
  });

  it('a solution that breaks its interpreter loses only its own state', async () => {
    await python.run('bystander', 'secret = "kept"');
    // The runner itself fails after this: the breaking solution gets an error (or a rejection), nothing else.
    await python.run('breaker', 'import sys, builtins\nsys.modules.clear()\nbuiltins.__dict__.clear()').catch((e: Error) => e);
    await expect(python.run('breaker', 'print(1)')).rejects.toThrow(/NameError/);
    const next = await python.run('next', 'print(6 * 7)');
    expect(next.output).toBe('42');
    expect(next.error).toBeUndefined();
    expect((await python.run('bystander', 'print(secret)')).output).toBe('kept');
  });
});
