/**
 * Snapshot restores in headless Chromium, as the solver makes them (8 solutions at a time, each in an
 * interpreter restored for it, the pool refilling behind): count, failures, retries needed, median and p95
 * of the restore inside its worker, and the wall time. Runs tests/browser/python-restores.test.ts with a
 * larger count; the test fails on any failed attempt.
 *
 *   npx tsx bench/python-restores.bench.ts [--restores 500] [--concurrent 8]
 *
 * Writes bench/results/python-restores.json (python-restores-c<N>.json for another --concurrent). 2 shared CPU cores here: with 8 restores at once each one's
 * time includes waiting for a core, so read the median against the wall time per restore.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const i = process.argv.indexOf('--restores');
const restores = i >= 0 ? Number(process.argv[i + 1]) : 500;
const c = process.argv.indexOf('--concurrent');
const concurrent = c >= 0 ? Number(process.argv[c + 1]) : 8;
const out = resolve(`bench/results/python-restores${concurrent === 8 ? '' : `-c${concurrent}`}.json`);
execFileSync('npx', ['vitest', 'run', '--project', 'browser', 'tests/browser/python-restores.test.ts', '-t', 'no failed attempt'], {
  stdio: 'inherit',
  env: { ...process.env, VITE_RESTORES: String(restores), VITE_RESTORE_CONCURRENT: String(concurrent), VITE_RESTORE_RESULTS: out },
});
const r = JSON.parse(readFileSync(out, 'utf8')) as { restores: number; failures: number; medianMs: number; p95Ms: number; wallMs: number };
console.log(`${r.restores} restores, ${r.failures} failures, median ${r.medianMs} ms, p95 ${r.p95Ms} ms, ${(r.wallMs / r.restores).toFixed(0)} ms of wall time per restore`);
