// Checks what the test suite needs before it starts, and says how to fix what is missing.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const chromium = process.env.CHROME_PATH || '/usr/bin/chromium';
const problems = [];
if (!existsSync(chromium)) {
  problems.push(
    `Chromium not found at ${chromium}.\n` +
      '  Install it with: sudo apt-get install -y chromium\n' +
      '  or set CHROME_PATH to a Chromium/Chrome binary (e.g. one installed by `npx playwright install chromium`).',
  );
}
const python = spawnSync('/usr/bin/python3', ['-c', 'import torch, onnx, numpy, sympy, mpmath'], { encoding: 'utf8' });
if (python.status !== 0) {
  problems.push(
    "The model tools' tests need Debian's Python packages.\n" +
      '  Install them with: sudo apt-get install -y python3-torch python3-onnx python3-numpy python3-sympy python3-mpmath',
  );
}
if (!existsSync('node_modules/vitest')) {
  problems.push('Dependencies are not installed. Run: npm ci');
}
if (problems.length) {
  console.error(`The test suite cannot start:\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
