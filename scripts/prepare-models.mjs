// Publishes files the app serves but does not commit: the bundled model packages
// (models/packages/* at /models/) and MathLive's fonts (at /vendor/mathlive/fonts/), by
// copying them into git-ignored folders of public/. Only changed files are copied.
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const from = 'models/packages';
const to = 'public/models';

function sync(src, dst) {
  mkdirSync(dst, { recursive: true });
  const names = new Set(readdirSync(src));
  for (const name of readdirSync(dst)) if (!names.has(name)) rmSync(join(dst, name), { recursive: true, force: true });
  for (const name of names) {
    const s = join(src, name);
    const d = join(dst, name);
    const st = statSync(s);
    if (st.isDirectory()) sync(s, d);
    else if (!existsSync(d) || statSync(d).size !== st.size || statSync(d).mtimeMs < st.mtimeMs) copyFileSync(s, d);
  }
}

sync(from, to);
sync('node_modules/mathlive/fonts', 'public/vendor/mathlive/fonts');
console.log(`Published ${readdirSync(from).join(', ')} at /models/ and MathLive's fonts at /vendor/mathlive/fonts/.`);

// Converted tiny checkpoints for the loader tests and `npm run bench|eval -- --packages tests/fixtures/converted`
// (tests/fixtures/make_converted.py; returns at once when current). Needs Python with torch and onnx;
// without them only those tests and runs lack their packages (the browser tests' setup says so).
if (existsSync('/usr/bin/python3') && !process.env.SKIP_CONVERTED_FIXTURES) {
  const run = spawnSync('/usr/bin/python3', ['tests/fixtures/make_converted.py'], { encoding: 'utf8', timeout: 120_000 });
  if (run.status === 0) console.log(run.stdout.trim());
  else console.warn(`tests/fixtures/converted not made (${(run.stderr || String(run.error)).trim().split('\n').at(-1)}); the converted-package tests will say so.`);
}
