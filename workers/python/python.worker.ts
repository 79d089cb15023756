/**
 * The Python sandbox worker. It never fetches anything itself: the main thread hands
 * it Pyodide's files, it starts the interpreter from memory, imports sympy, and then
 * locks its scope down (lockdown.ts) before the first line of solution code runs.
 * It starts either cold (the template the pool snapshots, or the trusted interpreter)
 * or from a snapshot (a solution's own interpreter, used by that solution only).
 * It talks to the app only over the private MessagePort it is given.
 */
import * as Comlink from 'comlink';
import { loadPyodide } from 'pyodide';
import '../common/errors.ts';
import { Interpreter, pyodideModule } from './interpreter.ts';
import RUNNER from './runner.py?raw';
import { lockDownWorkerScope } from './lockdown.ts';
import type { PythonRuntimeFiles, PythonSnapshot, PythonStartPhases, PythonWorkerApi } from '../contracts.ts';

let interpreter: Interpreter | undefined;

/** Serve Pyodide's own file requests from memory, so no network is needed (or allowed). */
function serveFromMemory(files: Record<string, { body: ArrayBuffer; type: string }>): void {
  const nativeFetch = globalThis.fetch;
  globalThis.fetch = (async (input: RequestInfo | URL) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const name = url.slice(url.lastIndexOf('/') + 1);
    const file = files[name];
    if (!file) throw new TypeError(`The Python sandbox has no network (asked for ${url}).`);
    return new Response(file.body.slice(0), { headers: { 'Content-Type': file.type } });
  }) as typeof fetch;
  void nativeFetch;
}

let initCalled = false;

const api: PythonWorkerApi = {
  async init(files: PythonRuntimeFiles, interruptBuffer: Int32Array | null, snapshot: PythonSnapshot | null, options = {}) {
    // One interpreter per worker: a second Pyodide in the same scope would load beside the first and its lockdown.
    if (initCalled) throw new Error('This Python worker has already started an interpreter; a second start is refused.');
    initCalled = true;
    const started = performance.now();
    serveFromMemory({
      'pyodide.asm.wasm': { body: files.wasm, type: 'application/wasm' },
      'python_stdlib.zip': { body: files.stdlib, type: 'application/zip' },
    });
    const compiled = files.module ? { module: files.module } : {};
    const inModule: Partial<Pick<PythonStartPhases, 'instantiate' | 'grow'>> = {};
    const asm = (await import(/* @vite-ignore */ `${files.indexURL}pyodide.asm.mjs`)) as { default: unknown };
    const scriptDone = performance.now();
    const pyodide = await loadPyodide({
      indexURL: files.indexURL,
      lockFileContents: files.lockFile,
      stdout: () => {},
      stderr: () => {},
      ...(snapshot
        ? { _loadSnapshot: new Uint8Array(snapshot.memory), createPyodideModule: pyodideModule(asm.default, { ...compiled, snapshotBytes: snapshot.memory.byteLength, phases: inModule }) }
        : { _makeSnapshot: true, createPyodideModule: pyodideModule(asm.default, { ...compiled, phases: inModule }) }),
    } as unknown as Parameters<typeof loadPyodide>[0]);
    const loaded = performance.now();
    let made: PythonSnapshot | undefined;
    if (snapshot) {
      interpreter = Interpreter.restore(pyodide, snapshot.site);
    } else {
      interpreter = await Interpreter.create(pyodide, { runner: RUNNER, packages: new Uint8Array(files.packages) });
      interpreter.warmSympy();
      if (options.imports) interpreter.runTrusted(options.imports);
      // Before the interrupt buffer and the lockdown, and before any other code: every restore starts from this state.
      if (options.makeSnapshot) made = interpreter.snapshot();
    }
    const filesDone = performance.now();
    const sympy = interpreter.sympyVersion();
    if (interruptBuffer) interpreter.setInterruptBuffer(interruptBuffer);
    lockDownWorkerScope();
    const ended = performance.now();
    const instantiate = inModule.instantiate ?? 0;
    const grow = inModule.grow ?? 0;
    const phasesMs: PythonStartPhases = {
      script: scriptDone - started,
      instantiate,
      grow,
      bootstrap: loaded - scriptDone - instantiate - grow,
      files: filesDone - loaded,
      lockdown: ended - filesDone,
    };
    const result = { sympy, startMs: ended - started, phasesMs };
    return made ? Comlink.transfer({ ...result, snapshot: made }, [made.memory, made.site.bytes]) : result;
  },
  async run(session, code, maxOutputChars) {
    if (!interpreter) throw new Error('Python is not started yet.');
    return interpreter.run(session, code, maxOutputChars);
  },
  async closeSession(session) {
    interpreter?.closeSession(session);
  },
};

// The first message carries the private port; everything else on the worker's own channel is ignored.
self.addEventListener(
  'message',
  (event: MessageEvent) => {
    const port = event.ports[0];
    if (event.data === 'python-sandbox:connect' && port) Comlink.expose(api, port);
  },
  { once: true },
);
