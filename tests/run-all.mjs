// The full suite in three lanes at once, each its own process: vitest runs the files of a project
// that keeps to one file at a time (browser, e2e) only after every other project's files, one worker
// each on 2 cores, so a single `vitest run` spends its first minutes on the unit files alone.
//
//   node tests/run-all.mjs
//
// Lanes: type checks, then the model tools' Python tests, then the unit project; the browser project;
// the e2e project. Each line is printed as it comes, prefixed with its lane. Exits non-zero when any
// lane fails, after all have ended, with each lane's closing summary line and duration.
import { spawn } from 'node:child_process';

const LANES = [
  { name: 'unit', steps: [['npm', ['run', '--silent', 'check']], ['npm', ['run', '--silent', 'test:models']], ['npx', ['vitest', 'run', '--project', 'unit']]] },
  { name: 'browser', steps: [['npx', ['vitest', 'run', '--project', 'browser']]] },
  { name: 'e2e', steps: [['npx', ['vitest', 'run', '--project', 'e2e']]] },
];

function runStep(lane, [command, args]) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: { ...process.env, FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let rest = '';
    const print = (chunk) => {
      const text = rest + chunk.toString();
      const lines = text.split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('tests: ')) lane.summary = line;
        process.stdout.write(`[${lane.name}] ${line}\n`);
      }
    };
    child.stdout.on('data', print);
    child.stderr.on('data', print);
    child.on('close', (code, signal) => {
      if (rest) process.stdout.write(`[${lane.name}] ${rest}\n`);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

const started = Date.now();
const results = await Promise.all(
  LANES.map(async (lane) => {
    for (const step of lane.steps) {
      const code = await runStep(lane, step);
      if (code !== 0) return { lane, code, failed: step.flat().join(' '), seconds: (Date.now() - started) / 1000 };
    }
    return { lane, code: 0, seconds: (Date.now() - started) / 1000 };
  }),
);
console.log('');
for (const { lane, code, failed, seconds } of results) {
  console.log(`${lane.name}: ${code === 0 ? 'passed' : `FAILED (${failed}, exit ${code})`} in ${seconds.toFixed(0)} s${lane.summary ? `; ${lane.summary}` : ''}`);
}
const failedLanes = results.filter((r) => r.code !== 0);
console.log(failedLanes.length ? `\nThe suite failed: ${failedLanes.map((r) => r.lane.name).join(', ')}.` : '\nThe suite passed.');
process.exit(failedLanes.length ? 1 : 0);
