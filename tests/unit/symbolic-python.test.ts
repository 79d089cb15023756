/**
 * The Python tests beside the rule modules (workers/symbolic/python/tests/test_*.py), run where the page runs them:
 * Pyodide in Node with the page's own archive (public/pyodide/sympy.zip carries tutor_symbolic). Each test file
 * is a unittest module; every test in it must pass.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeTrustedPython, type NodePython } from '../../workers/symbolic/node-python.ts';

const DIR = 'workers/symbolic/python/tests';
const FILES = readdirSync(DIR).filter((f) => /^test_.*\.py$/.test(f)).sort();

let python: NodePython;
beforeAll(async () => {
  python = await nodeTrustedPython();
}, 180_000);
afterAll(async () => python?.close());

/** Runs one unittest module from its source; prints JSON: tests run, failures with their tracebacks. */
function program(name: string, source: string): string {
  return [
    'import io, json, types, unittest',
    `_m = types.ModuleType(${JSON.stringify(name)})`,
    `exec(compile(${JSON.stringify(source)}, ${JSON.stringify(name + '.py')}, 'exec'), _m.__dict__)`,
    '_s = io.StringIO()',
    '_r = unittest.TextTestRunner(stream=_s, verbosity=2).run(unittest.defaultTestLoader.loadTestsFromModule(_m))',
    "print(json.dumps({'run': _r.testsRun, 'failures': [str(t) + '\\n' + tb for t, tb in _r.failures + _r.errors]}))",
  ].join('\n');
}

describe('Python tests of the rule modules, in Pyodide', () => {
  it('finds the test files', () => {
    expect(FILES.length).toBeGreaterThan(0);
  });
  it.each(FILES)('%s passes', async (file) => {
    const result = await python.run(program(file.replace(/\.py$/, ''), readFileSync(`${DIR}/${file}`, 'utf8')), { timeoutMs: 120_000 });
    expect(result.error ?? null).toBeNull();
    const report = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { run: number; failures: string[] };
    expect(report.failures).toEqual([]);
    expect(report.run).toBeGreaterThan(0);
  }, 180_000);
});
