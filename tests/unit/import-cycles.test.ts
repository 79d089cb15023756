/**
 * No module under workers/ or web/ imports itself through others, type-only imports included (a type circle is
 * still a circle in the structure: shared value types live in workers/types.ts, which imports nothing), and the
 * model runtime (workers/model/) and the contracts reach nothing of the solver (workers/solver/).
 *
 * madge reads the TypeScript modules and finds the cycles. It keeps a .svelte file as a leaf (precinct, which it
 * reads sources with, has no Svelte detective), so each component's edges are read here from its <script> blocks:
 * Svelte's own parser finds them, the TypeScript compiler lists their imports, and the whole graph goes back to
 * madge as a predefined tree.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import madge from 'madge';
import { parse } from 'svelte/compiler';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DIRS = ['workers', 'web'];

/** Every .ts and .svelte file under DIRS, relative to ROOT with forward slashes (madge's keys). */
const sourceFiles = (): string[] =>
  DIRS.flatMap((dir) => readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' }).map((f) => `${dir}/${f.replaceAll('\\', '/')}`))
    .filter((f) => /\.(ts|svelte)$/.test(f) && !f.endsWith('.d.ts'))
    .sort();

/** The project files a component's scripts import (relative specifiers; packages and `?url`-style assets are not modules of ours). */
export function svelteImports(file: string): string[] {
  const source = readFileSync(join(ROOT, file), 'utf8');
  const ast = parse(source, { modern: true });
  const scripts = [ast.instance, ast.module].filter((s) => s !== null && s !== undefined);
  const specifiers = scripts.flatMap((s) => {
    const content = s.content as unknown as { start: number; end: number };
    return ts.preProcessFile(source.slice(content.start, content.end), true, true).importedFiles.map((f) => f.fileName);
  });
  return [...new Set(specifiers.filter((s) => s.startsWith('.') && !s.includes('?')).map((s) => relative(ROOT, resolve(ROOT, dirname(file), s)).replaceAll('\\', '/')))].sort();
}

/** The import graph of DIRS: madge's for TypeScript modules, with each component's edges put in. */
export async function importGraph(): Promise<Record<string, string[]>> {
  const read = await madge(DIRS.map((d) => join(ROOT, d)), { baseDir: ROOT, fileExtensions: ['ts', 'svelte'], tsConfig: join(ROOT, 'tsconfig.json') });
  const graph = read.obj();
  for (const file of Object.keys(graph)) if (file.endsWith('.svelte')) graph[file] = svelteImports(file);
  return graph;
}

describe('import graph of workers/ and web/', () => {
  let graph: Record<string, string[]>;
  beforeAll(async () => {
    graph = await importGraph();
  }, 120_000);

  it('covers every module and component, with the components’ own imports', () => {
    const nodes = Object.keys(graph);
    for (const file of sourceFiles()) expect(nodes).toContain(file);
    expect(graph['web/main.ts']).toContain('web/App.svelte');
    expect(graph['web/App.svelte']).toContain('web/components/ProblemInput.svelte');
    expect(graph['web/App.svelte']!.some((f) => f.startsWith('workers/'))).toBe(true);
  });

  /** Every module `file` imports, directly or through others. */
  const reach = (file: string): Set<string> => {
    const seen = new Set<string>();
    const visit = (f: string) => {
      for (const dep of graph[f] ?? []) if (!seen.has(dep)) (seen.add(dep), visit(dep));
    };
    visit(file);
    return seen;
  };

  it('keeps the layers apart: shared types import nothing, contracts and the model runtime nothing of the solver', () => {
    expect(graph['workers/types.ts']).toEqual([]);
    expect(graph['workers/formats.ts']).toEqual(['workers/formats.json', 'workers/types.ts']);
    const solverOf = (file: string) => [...reach(file)].filter((f) => f.startsWith('workers/solver/'));
    expect(solverOf('workers/contracts.ts')).toEqual([]);
    const model = Object.keys(graph).filter((f) => f.startsWith('workers/model/'));
    expect(model.length).toBeGreaterThan(10);
    for (const file of model) expect(solverOf(file), file).toEqual([]);
  });

  it('has no import cycle', async () => {
    const cycles = (await madge(graph)).circular();
    expect(cycles.map((cycle) => cycle.join(' > '))).toEqual([]);
  });
});
