// Checks what the test suite needs before it starts, and says how to fix what is missing.
import { existsSync } from 'node:fs';

const chromium = process.env.CHROME_PATH || '/usr/bin/chromium';
const problems = [];
if (!existsSync(chromium)) {
  problems.push(
    `Chromium not found at ${chromium}.\n` +
      '  Install it with: sudo apt-get install -y chromium\n' +
      '  or set CHROME_PATH to a Chromium/Chrome binary (e.g. one installed by `npx playwright install chromium`).',
  );
}
if (!existsSync('node_modules/vitest')) {
  problems.push('Dependencies are not installed. Run: npm ci');
}
if (problems.length) {
  console.error(`The test suite cannot start:\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
