/**
 * Isolation between solutions in real Chromium: the pool's workers and real Pyodide.
 * No solution reads or changes another's state, the grader's verdict included.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PythonPool } from '../../workers/python/pool.ts';
import { TrustedPython } from '../../workers/python/trusted.ts';
import { sympyEqualityProgram } from '../../workers/solver/equivalence.ts';
import { CHANGES, GRADER_FORGE, READS, VICTIM_SETUP, changeScenarios, readScenarios } from '../unit/python-isolation-cases.ts';

let pool: PythonPool;
let trusted: TrustedPython;

beforeAll(async () => {
  pool = new PythonPool({ size: 2, interruptGraceMs: 1_000 });
  trusted = new TrustedPython();
  await Promise.all([pool.warm(), trusted.warm()]);
}, 300_000); // 8 interpreters restored while the rest of the suite runs in parallel on 2 cores

afterAll(() => {
  console.log(`waits for a fresh interpreter per new solution (ms): ${pool.claimWaitsMs.map((m) => Math.round(m)).join(' ')}`);
  console.log(`restore inside the worker (ms): ${pool.restoreMs.map((m) => Math.round(m)).join(' ')}`);
  pool?.dispose();
  trusted?.dispose();
});

describe('isolation between solutions (Chromium)', () => {
  for (const read of READS) {
    it(`cannot read another solution's ${read.name}`, async () => {
      expect(await readScenarios(pool, read.code)).toEqual([read.expect, read.expect]);
    });
  }

  for (const change of CHANGES) {
    it(`cannot change another solution: ${change.name}`, async () => {
      expect(await changeScenarios(pool, change.attack, change.check)).toEqual(Array(4).fill(change.expect));
    });
  }

  it('the time limit still interrupts other solutions after one ignored SIGINT', async () => {
    // Two hostile samples of one solve (a pool of shared interpreters has one on each).
    for (const attacker of ['sigint-attacker', 'sigint-attacker-2']) await pool.run(attacker, 'import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)');
    const restarts = pool.restarts;
    const loop = await pool.run('sigint-victim', 'while True:\n    pass', { timeoutMs: 1_000 });
    expect(loop.output).toMatch(/^TimeoutError/);
    expect(pool.restarts).toEqual(restarts); // interrupted, not terminated
    expect((await pool.run('sigint-victim', 'print("still here")')).output).toBe('still here');
  });

  it("a solution that ignores SIGINT is terminated at its limit, and only it loses its state", async () => {
    const owners = ['owner', 'owner-2'];
    for (const owner of owners) await pool.run(owner, VICTIM_SETUP);
    await pool.run('stubborn', 'import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nkept = 1');
    const stuck = await pool.run('stubborn', 'while True:\n    pass', { timeoutMs: 800 });
    expect(stuck.output).toMatch(/^TimeoutError/);
    expect((await pool.run('stubborn', 'print(kept)')).output).toMatch(/^NameError[\s\S]*restarted/);
    for (const owner of owners) expect((await pool.run(owner, 'print(secret, open("diary.txt").read())')).output).toBe('victim-secret-4711 victim-diary-4711');
  }, 30_000);

  it('the grader says 1 == 2 is False after a hostile solution patched sympy', async () => {
    // Two hostile samples of one solve (a pool of shared interpreters has one on each).
    for (const forger of ['grader-forger', 'grader-forger-2']) expect((await pool.run(forger, GRADER_FORGE)).error).toBeUndefined();
    // The attack works in its own interpreter...
    expect((await pool.run('grader-forger', sympyEqualityProgram('1', '2'))).output).toBe('True');
    // ...and nowhere else.
    expect((await trusted.run(sympyEqualityProgram('1', '2'))).output).toBe('False');
    expect((await trusted.run(sympyEqualityProgram('2', '4/2'))).output).toBe('True');
  });

  it('refuses to run generated code when its interpreter cannot be restored from the snapshot', async () => {
    const refusing = new PythonPool({ size: 1 });
    try {
      await refusing.warm();
      // A snapshot Pyodide rejects (as one from another build would be): the magic number is damaged.
      const template = await refusing.template.get();
      const header = new Uint32Array(template.snapshot.memory, 0, 1);
      header[0] = header[0]! ^ 0xffff;
      refusing.dispose(); // its ready interpreter was restored before the damage
      // Every snapshot it makes is the damaged one, so each attempt in a new worker fails too.
      const fresh = new PythonPool({ size: 1 });
      (fresh as unknown as { loadTemplate: () => Promise<unknown> }).loadTemplate = () => Promise.resolve(template);
      const refused = await fresh.run('refused', 'print(1)').then(
        () => undefined,
        (error: Error) => error,
      );
      const failures = fresh.restoreFailures;
      fresh.dispose();
      expect(refused?.name).toBe('PythonIsolationError');
      expect(refused?.message).toMatch(/could not start a fresh interpreter/);
      expect(failures).toBe(3);
    } finally {
      refusing.dispose();
    }
  }, 60_000);

  it('a solution that breaks its interpreter loses only its own state; the next runs normally', async () => {
    const bystanders = ['bystander', 'bystander-2'];
    for (const b of bystanders) await pool.run(b, VICTIM_SETUP);
    const broken = await pool.run('breaker', 'import sys, builtins\nsys.modules.clear()\nbuiltins.__dict__.clear()');
    const after = await pool.run('breaker', 'print(1)');
    expect(`${broken.output}\n${after.output}`).toMatch(/SandboxError|NameError/);
    const next = await pool.run('after-breaker', 'print(6 * 7)');
    expect(next.output).toBe('42');
    expect(next.error).toBeUndefined();
    for (const b of bystanders) expect((await pool.run(b, 'print(secret)')).output).toBe('victim-secret-4711');
  });
});
