// Publishes files the app serves but does not commit: the bundled model packages
// (models/packages/* at /models/) and MathLive's fonts (at /vendor/mathlive/fonts/), by
// copying them into git-ignored folders of public/. Only changed files are copied.
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

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
