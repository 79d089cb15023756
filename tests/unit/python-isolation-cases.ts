/**
 * The hostile isolation suite, shared by the Node test (FreshInterpreters) and the
 * Chromium test (PythonPool): one solution ("attacker") tries to read or change
 * another's ("victim") state: victims opened before the attack, after it, and closed ones.
 */
import { expect } from 'vitest';
import type { PythonRunResult } from '../../workers/contracts.ts';

export interface SessionRunner {
  run(session: string, code: string): Promise<PythonRunResult>;
  closeSession(session: string): Promise<void>;
}

/** What the victim sets up: a variable, a file, and an object only reachable through the garbage collector. */
export const VICTIM_SETUP = [
  'secret = "victim-secret-4711"',
  'open("diary.txt", "w").write("victim-diary-4711")',
  'class Vault:\n    pass',
  'vault = Vault()',
  'vault.key = "victim-key-4711"',
].join('\n');

/** Tries to read the victim's state; the attacker's output must show nothing of it. */
export const READS: Array<{ name: string; code: string; expect: string }> = [
  {
    name: "variables through the garbage collector",
    code: 'import gc\nprint(any(isinstance(o, dict) and o.get("secret") == "victim-" + "secret-4711" for o in gc.get_objects()))',
    expect: 'False',
  },
  {
    name: 'objects through the garbage collector',
    code: 'import gc\nprint(any(type(o).__name__ == "Vault" for o in gc.get_objects()))',
    expect: 'False',
  },
  {
    name: "the runner's session table",
    code: 'import tutor_runner\nprint(sorted(k for k in tutor_runner._sessions if "victim" in k))',
    expect: '[]',
  },
  {
    name: "the runner's stashed files",
    code: 'import tutor_runner\nprint(any(b"victim-diary" in d for f in tutor_runner._files.values() for d in f.values()))',
    expect: 'False',
  },
  {
    name: 'files, on disk or kept by the runner',
    code: 'import os, tutor_runner\nfound = [f for root, dirs, files in os.walk("/") if not root.startswith(("/proc", "/dev", "/lib/python3.14")) for f in files if f == "diary.txt"]\nfound += [n for f in tutor_runner._files.values() for n in f]\nprint(found)',
    expect: '[]',
  },
];

/**
 * Tries to change what the victim gets; `check` runs in the victim's session and must print `expect`.
 * The most destructive attacks come last: on a shared interpreter they spoil every later case.
 */
export const CHANGES: Array<{ name: string; attack: string; check: string; expect: string }> = [
  {
    name: 'patch sympy.solve',
    attack: 'import sympy\nsympy.solve = lambda *a, **k: [999]\nimport sympy.solvers.solvers as s\ns.solve = sympy.solve',
    check: 'from sympy import symbols, solve\nx = symbols("x")\nprint(solve(x**2 - 4, x))',
    expect: '[-2, 2]',
  },
  {
    name: 'ignore SIGINT',
    attack: 'import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)',
    check: 'import signal\nprint(signal.getsignal(signal.SIGINT) is signal.default_int_handler)',
    expect: 'True',
  },
  {
    name: 'raise the recursion limit',
    attack: 'import sys\nsys.setrecursionlimit(100000)',
    check: 'import sys\nprint(sys.getrecursionlimit())',
    expect: '600',
  },
  {
    name: 'replace a module in sys.modules',
    attack: 'import sys, types\nfake = types.ModuleType("math")\nfake.sqrt = lambda x: 5\nsys.modules["math"] = fake',
    check: 'import math\nprint(math.sqrt(16))',
    expect: '4.0',
  },
  {
    name: "change the victim's variables through the garbage collector",
    attack: 'import gc\nfor o in gc.get_objects():\n    if type(o).__name__ == "Vault":\n        for r in gc.get_referrers(o):\n            if isinstance(r, dict) and "secret" in r:\n                r["secret"] = "stolen"',
    check: 'print(secret if "secret" in globals() else "victim-secret-4711")',
    expect: 'victim-secret-4711',
  },
  {
    name: 'plant a module file on the import path',
    attack: 'open("/lib/python3.14/site-packages/fractions_helper.py", "w").write("VALUE = 999")\nopen("/tmp/planted.txt", "w").write("x")',
    check: 'import os\nprint(os.path.exists("/lib/python3.14/site-packages/fractions_helper.py"), os.path.exists("/tmp/planted.txt"))',
    expect: 'False False',
  },
  {
    name: "overwrite the victim's files",
    attack: 'import os, tutor_runner\nfor root, dirs, files in os.walk("/sessions"):\n    for f in files:\n        open(os.path.join(root, f), "w").write("overwritten")\nfor kept in tutor_runner._files.values():\n    for name in kept:\n        kept[name] = b"overwritten"',
    check: 'print(open("diary.txt").read() if __import__("os").path.exists("diary.txt") else "victim-diary-4711")',
    expect: 'victim-diary-4711',
  },
  {
    name: 'patch builtins',
    attack: 'import builtins\nbuiltins.abs = lambda x: 7\nbuiltins.int = float',
    check: 'print(abs(-3), int("5"))',
    expect: '3 5',
  },
  {
    name: 'replace a runner function so later results are forged',
    attack: 'import tutor_runner\ntutor_runner._limit = lambda text, n: ("Final Answer: \\\\boxed{999}", False)',
    check: 'print(6 * 7)',
    expect: '42',
  },
];

/** Python the grader runs for "1 == 2" (workers/solver/equivalence.ts). */
export const GRADER_FORGE = 'import sympy\nsympy.simplify = lambda e, *a, **k: 0\nsympy.nsimplify = lambda e, *a, **k: 0';

let counter = 0;
const id = (what: string) => `${what}-${++counter}`;

/**
 * Two victims are open when the attacker comes (as the samples of one solve are), so that
 * a pool of shared interpreters puts one of them beside it whatever its placement rule.
 * Reads while the victims' sessions are open, and after they closed.
 */
export async function readScenarios(python: SessionRunner, code: string): Promise<string[]> {
  const outputs: string[] = [];
  const victims = [id('victim'), id('victim')];
  for (const v of victims) await python.run(v, VICTIM_SETUP);
  const attacker = id('attacker');
  outputs.push((await python.run(attacker, code)).output);
  for (const v of victims) await python.closeSession(v);
  outputs.push((await python.run(attacker, code)).output);
  await python.closeSession(attacker);
  return outputs;
}

/** The victims' check in sessions opened before the attack (during) and in sessions opened after it. */
export async function changeScenarios(python: SessionRunner, attack: string, check: string): Promise<string[]> {
  const during = [id('victim'), id('victim')];
  for (const v of during) await python.run(v, VICTIM_SETUP);
  const attacker = id('attacker');
  const attacked = await python.run(attacker, attack);
  expect(attacked.error, `the attack itself ran: ${attacked.output}`).toBeUndefined();
  const after = [id('victim'), id('victim')];
  for (const v of after) await python.run(v, VICTIM_SETUP);
  const outputs: string[] = [];
  for (const v of [...during, ...after]) outputs.push((await python.run(v, check)).output);
  for (const s of [...during, attacker, ...after]) await python.closeSession(s);
  return outputs;
}
