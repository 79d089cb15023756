// Prepares the in-page Python: copies Pyodide's runtime into public/pyodide/ and packs
// sympy + mpmath (the committed sources in vendor/python/, or a local installation) into public/pyodide/sympy.zip,
// byte-compiled for Pyodide's own Python (3.14) so that `import sympy` needs no
// compile step in the browser. Writes public/pyodide/packages.json (versions, bytes,
// sha256). Idempotent: does nothing when the outputs match their inputs.
//
//   node scripts/prepare-python.mjs [--from /path/to/site-packages] [--source-only out.zip]
//
// Default source: vendor/python/sympy-*-mpmath-*.zip (pure-Python sources, checked against
//   vendor/python/SHA256SUMS), so a machine with only Node.js builds the same archive as any other.
// --from: a site-packages folder with sympy/ and mpmath/ to pack instead (or SYMPY_SITE_PACKAGES), e.g.
//   pip install --target /tmp/sp sympy==1.13.3 mpmath==1.3.0 && node scripts/prepare-python.mjs --from /tmp/sp
// --source-only: also write a zip of the plain sources (the benchmark's naive baseline).
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createRequire } from 'node:module';

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const from = option('--from') || process.env.SYMPY_SITE_PACKAGES || undefined;
const VENDOR = 'vendor/python';
const sourceOnly = option('--source-only');
const out = 'public/pyodide';
const require = createRequire(import.meta.url);
const pyodideDir = dirname(require.resolve('pyodide/package.json'));
const pyodideVersion = JSON.parse(readFileSync(join(pyodideDir, 'package.json'), 'utf8')).version;
const RUNTIME = ['pyodide.mjs', 'pyodide.asm.mjs', 'pyodide.asm.wasm', 'python_stdlib.zip', 'pyodide-lock.json'];

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

const sha256Of = (path) => sha256(readFileSync(path));
/** The sources to pack: a folder given with --from, or the committed archive after its checksum is checked. */
function sources() {
  if (from) {
    for (const pkg of ['sympy', 'mpmath']) {
      if (!existsSync(join(from, pkg, '__init__.py'))) {
        console.error(`${pkg} not found in ${from} (given with --from or SYMPY_SITE_PACKAGES).\n  Leave both unset to pack the sympy sources committed in ${VENDOR}/.`);
        process.exit(1);
      }
    }
    return { kind: 'folder', path: from, stamp: `${from}|${statSync(join(from, 'sympy', '__init__.py')).mtimeMs}` };
  }
  const sums = readFileSync(join(VENDOR, 'SHA256SUMS'), 'utf8').trim().split('\n').map((line) => line.split(/\s+/));
  const [expected, name] = sums[0];
  const path = join(VENDOR, name);
  const actual = existsSync(path) ? sha256Of(path) : 'missing';
  if (actual !== expected) {
    console.error(`${path}: sha256 ${actual}, expected ${expected} (${VENDOR}/SHA256SUMS). Restore it with: git checkout -- ${VENDOR}`);
    process.exit(1);
  }
  return { kind: 'zip', path, stamp: `${basename(path)}|${expected}` };
}
const source = sources();

// The symbolic solver's rule modules (workers/symbolic/python/tutor_symbolic/*.py) travel in the same archive,
// so the page's trusted interpreter imports them with sympy; their contents are part of the stamp.
const SYMBOLIC = 'workers/symbolic/python/tutor_symbolic';
const symbolicFiles = readdirSync(SYMBOLIC).filter((f) => f.endsWith('.py')).sort();
const symbolicHash = sha256(symbolicFiles.map((f) => `${f}\n${readFileSync(join(SYMBOLIC, f), 'utf8')}`).join('\n'));

mkdirSync(out, { recursive: true });
const runtime = {};
for (const file of RUNTIME) {
  const src = join(pyodideDir, file);
  const dst = join(out, file);
  if (!existsSync(dst) || statSync(dst).size !== statSync(src).size) copyFileSync(src, dst);
  // The wasm's hash is part of the key an interpreter snapshot is kept under in the browser (workers/python/template.ts).
  runtime[file] = { bytes: statSync(dst).size, sha256: sha256Of(dst) };
}

const manifestPath = join(out, 'packages.json');
const stamp = `${pyodideVersion}|${source.stamp}|tutor_symbolic ${symbolicHash.slice(0, 16)}`;
if (existsSync(manifestPath) && existsSync(join(out, 'sympy.zip')) && !sourceOnly) {
  const previous = JSON.parse(readFileSync(manifestPath, 'utf8'));
  if (previous.stamp === stamp && sha256(readFileSync(join(out, 'sympy.zip'))) === previous.archive.sha256) {
    if (JSON.stringify(previous.runtime) !== JSON.stringify(runtime)) writeFileSync(manifestPath, `${JSON.stringify({ ...previous, runtime }, null, 2)}\n`);
    console.log(`public/pyodide is up to date (Pyodide ${pyodideVersion}, sympy ${previous.packages.sympy}).`);
    process.exit(0);
  }
}

const started = Date.now();
const { loadPyodide } = await import('pyodide');
const pyodide = await loadPyodide({ indexURL: `${pyodideDir}/` });
pyodide.FS.mkdirTree('/src');
if (source.kind === 'folder') pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: source.path }, '/src');
else pyodide.unpackArchive(new Uint8Array(readFileSync(source.path)), 'zip', { extractDir: '/src' });
pyodide.FS.mkdirTree('/pack/tutor_symbolic');
for (const f of symbolicFiles) pyodide.FS.writeFile(`/pack/tutor_symbolic/${f}`, readFileSync(join(SYMBOLIC, f), 'utf8'));
pyodide.globals.set('want_source_only', Boolean(sourceOnly));
const result = pyodide.runPython(`
import compileall, io, os, py_compile, shutil, sys, zipfile
sys.dont_write_bytecode = True
os.makedirs('/pack', exist_ok=True)
for name in ('sympy', 'mpmath'):
    shutil.rmtree(f'/pack/{name}', ignore_errors=True)
    shutil.copytree(f'/src/{name}', f'/pack/{name}',
                    ignore=shutil.ignore_patterns('__pycache__', '*.pyc', 'tests', 'benchmarks'))

def write_zip(path, compiled):
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        for root, dirs, files in os.walk('/pack'):
            dirs.sort()
            for f in sorted(files):
                full = os.path.join(root, f)
                rel = os.path.relpath(full, '/pack')
                if compiled and rel.endswith('.py'):
                    continue  # the .pyc beside it is imported instead
                if not compiled and rel.endswith('.pyc'):
                    continue
                info = zipfile.ZipInfo(rel, date_time=(2020, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                with open(full, 'rb') as fh:
                    z.writestr(info, fh.read())

if want_source_only:
    write_zip('/source.zip', False)
# Sourceless bytecode (x.pyc beside where x.py was): smaller, and nothing to compile or check at import.
ok = compileall.compile_dir('/pack', quiet=1, legacy=True, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
write_zip('/sympy.zip', True)
os.makedirs('/check', exist_ok=True)
zipfile.ZipFile('/sympy.zip').extractall('/check')
sys.path.insert(0, '/check')
import sympy, mpmath
assert sympy.__file__.endswith('.pyc'), sympy.__file__
assert str(sympy.solve(sympy.Symbol('x')**2 - 4)) == '[-2, 2]'
import tutor_symbolic
check = tutor_symbolic.solve({'text': 'x^2 - 4 = 0', 'math': []})
assert check.get('answer') == '-2, 2', check
(sympy.__version__, mpmath.__version__, bool(ok))
`).toJs();
const [sympyVersion, mpmathVersion] = result;
const zip = pyodide.FS.readFile('/sympy.zip');
writeFileSync(join(out, 'sympy.zip'), zip);
if (sourceOnly) writeFileSync(sourceOnly, pyodide.FS.readFile('/source.zip'));
const manifest = {
  stamp,
  pyodide: pyodideVersion,
  python: pyodide.runPython('import sys; sys.version.split()[0]'),
  runtime,
  packages: { sympy: sympyVersion, mpmath: mpmathVersion, tutor_symbolic: symbolicHash.slice(0, 16) },
  source: source.path,
  archive: { file: 'sympy.zip', bytes: zip.length, sha256: sha256(zip), bytecode: 'sourceless .pyc for CPython 3.14' },
};
writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`Packed sympy ${sympyVersion} + mpmath ${mpmathVersion} for Pyodide ${pyodideVersion} (${(zip.length / 1e6).toFixed(1)} MB) in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
