/**
 * The trusted interpreter for Node (evaluation, benchmark, tests): Pyodide with the page's own archive
 * (public/pyodide/sympy.zip, which carries tutor_symbolic), driven through workers/python/interpreter.ts.
 * The time limit works as in the page: a helper thread writes SIGINT into Pyodide's interrupt buffer
 * when the limit passes, while the main thread is busy in Python.
 */
import { existsSync, readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { loadPyodide } from 'pyodide';
import { Interpreter } from '../python/interpreter.ts';
import { SYMBOLIC_IMPORT, type TrustedRun } from './solver.ts';

const ARCHIVE = 'public/pyodide/sympy.zip';

const TIMER = `
const { parentPort, workerData } = require('node:worker_threads');
const flag = new Int32Array(workerData);
let timer;
parentPort.on('message', (m) => {
  clearTimeout(timer);
  if (m > 0) timer = setTimeout(() => Atomics.store(flag, 0, 2), m);
});`;

export interface NodePython {
  run: TrustedRun;
  interpreter: Interpreter;
  close(): Promise<void>;
}

export async function nodeTrustedPython(): Promise<NodePython> {
  if (!existsSync(ARCHIVE)) throw new Error(`${ARCHIVE} is missing: run npm run prepare:python`);
  const pyodide = await loadPyodide();
  const interpreter = await Interpreter.create(pyodide, {
    runner: readFileSync('workers/python/runner.py', 'utf8'),
    packages: new Uint8Array(readFileSync(ARCHIVE)),
  });
  const shared = new SharedArrayBuffer(4);
  const flag = new Int32Array(shared);
  interpreter.setInterruptBuffer(flag);
  const timer = new Worker(TIMER, { eval: true, workerData: shared });
  timer.unref();
  const imported = interpreter.run('symbolic', SYMBOLIC_IMPORT, 100_000);
  if (imported.error) throw new Error(`${ARCHIVE} does not carry the symbolic solver (${imported.error.type}: ${imported.error.message}): run npm run prepare:python`);
  let session = 0;
  const run: TrustedRun = async (code, { timeoutMs }) => {
    Atomics.store(flag, 0, 0);
    timer.postMessage(timeoutMs);
    // Wait until the helper thread has armed its timer, so a long run is really interrupted.
    await new Promise((resolve) => setTimeout(resolve, 1));
    try {
      return interpreter.run(`symbolic-${session++ % 2}`, code, 100_000);
    } finally {
      timer.postMessage(0);
      Atomics.store(flag, 0, 0);
    }
  };
  return { run, interpreter, close: async () => void (await timer.terminate()) };
}
