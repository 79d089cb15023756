// Checks what the test suite needs before it starts. What is missing is installed with apt when
// this runs as root on a Debian/Ubuntu machine (as CI does); otherwise it prints the one line that
// installs it and stops. The list of system packages lives here alone (.ci/run relies on it).
//
//   node tests/preflight.mjs            check, install as root, or say what to run
//   PREFLIGHT_NO_INSTALL=1 node ...     only check and say
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const chromium = process.env.CHROME_PATH || '/usr/bin/chromium';
const PYTHON_MODULES = 'import torch, onnx, numpy, sympy, mpmath';

/** Each need: how to tell it is met, and the Debian packages that meet it. */
const NEEDS = [
  { what: `Chromium (${chromium}) for the browser and end-to-end tests`, met: () => existsSync(chromium), apt: ['chromium'] },
  {
    what: "Python's torch, onnx, numpy and sympy for the model tools' tests",
    met: () => existsSync('/usr/bin/python3') && spawnSync('/usr/bin/python3', ['-c', PYTHON_MODULES]).status === 0,
    apt: ['python3-torch', 'python3-onnx', 'python3-numpy', 'python3-sympy', 'python3-mpmath', 'libopenblas0-pthread'],
  },
];

const missing = () => NEEDS.filter((need) => !need.met());
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = existsSync('/usr/bin/apt-get');

let lacking = missing();
if (lacking.length && isRoot && hasApt && !process.env.PREFLIGHT_NO_INSTALL) {
  const packages = lacking.flatMap((need) => need.apt);
  console.log(`Installing what the tests need: apt-get install -y ${packages.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const install = update.status === 0 && spawnSync('apt-get', ['install', '-y', '-qq', ...packages], { stdio: ['ignore', 'ignore', 'inherit'], env });
  if (!install || install.status !== 0) console.error('apt-get could not install them (see above).');
  lacking = missing();
}

const problems = lacking.map((need) => need.what);
const hints = [];
if (lacking.length) {
  hints.push(`sudo apt-get install -y ${lacking.flatMap((need) => need.apt).join(' ')}`);
  if (lacking.some((need) => need.apt.includes('chromium'))) hints.push('(or set CHROME_PATH to any Chromium/Chrome binary, e.g. one Playwright installed)');
}
if (!existsSync('node_modules/vitest')) {
  problems.push('the npm dependencies');
  hints.unshift('npm ci');
}
if (problems.length) {
  console.error(`The test suite cannot start. Missing: ${problems.join('; ')}.\nInstall with:\n  ${hints.join('\n  ')}`);
  process.exit(1);
}
