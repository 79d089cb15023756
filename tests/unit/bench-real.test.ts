/**
 * `npm run bench:real` before it measures anything: a model that is not downloaded from the hub, or
 * a hub that cannot be reached or does not answer as the hub does, stops it with a message saying so
 * (exit codes 2 and 3) and nothing written; a hub that answers (the loopback imitation,
 * tests/support/hub-server.ts) gives the package the page will load. The measurement itself needs a
 * GPU and the hub, which these machines lack.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BenchRealError, entryFor, preflight } from '../../scripts/bench-real.ts';
import { ensureConvertedFixtures, HUB_PACKAGE, HUB_REPO } from '../support/converted-fixtures.ts';
import { startHubServer } from '../support/hub-server.ts';

const QWEN = 'qwen2.5-math-1.5b-instruct';
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const listen = (server: Server) => new Promise<number>((done) => server.listen(0, '127.0.0.1', () => done((server.address() as AddressInfo).port)));
const close = (server: Server) => new Promise<void>((done) => server.close(() => done()));
const mirror = (origin: string) => `${origin}/${HUB_REPO}/resolve/main/`;

async function failure(work: Promise<unknown>): Promise<BenchRealError> {
  const error = await work.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(BenchRealError);
  return error as BenchRealError;
}

describe('bench:real before measuring', () => {
  it('names the models it can measure when the id is missing, unknown, or not a hub model', () => {
    for (const id of [undefined, 'no-such-model', 'demo-mario-tiny']) {
      let error: unknown;
      try {
        entryFor(id);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(BenchRealError);
      expect((error as BenchRealError).exitCode).toBe(2);
      expect((error as BenchRealError).message).toContain(id === 'demo-mario-tiny' ? 'not downloaded from the hub' : QWEN);
    }
    expect(entryFor(QWEN).layout).toBe('hub');
  });

  it('stops with a clear message when nothing answers at the hub address', async () => {
    // A port this test opened and closed again: connections to it are refused.
    const server = createServer();
    const port = await listen(server);
    await close(server);
    const error = await failure(preflight(entryFor(QWEN), mirror(`http://127.0.0.1:${port}`)));
    expect(error.exitCode).toBe(3);
    expect(error.message).toContain(`cannot reach the Hugging Face hub (127.0.0.1:${port})`);
    expect(error.message).toContain('Could not reach');
    expect(error.message).toContain('Nothing was measured and no result was written');
  });

  it('stops when the address answers, but not as the hub does', async () => {
    const server = createServer((_req, res) => res.writeHead(503, { 'Content-Type': 'text/plain' }).end('proxy error'));
    const port = await listen(server);
    try {
      const error = await failure(preflight(entryFor(QWEN), mirror(`http://127.0.0.1:${port}`)));
      expect(error.exitCode).toBe(3);
      expect(error.message).toContain('answered 503');
    } finally {
      await close(server);
    }
  });

  it('stops when the hub does not answer in time', async () => {
    const server = createServer(() => {});
    const port = await listen(server);
    try {
      const error = await failure(preflight(entryFor(QWEN), mirror(`http://127.0.0.1:${port}`), 300));
      expect(error.exitCode).toBe(3);
      expect(error.message).toContain('cannot reach the Hugging Face hub');
    } finally {
      server.closeAllConnections();
      await close(server);
    }
  });

  it('reads the package the page will load from a hub that answers', async () => {
    const missing = ensureConvertedFixtures();
    if (missing) throw new Error(missing);
    const hub = await startHubServer({ [HUB_REPO]: HUB_PACKAGE });
    try {
      const pkg = await preflight(entryFor(QWEN), mirror(hub.origin));
      expect(pkg.folder).toMatch(new RegExp(`^${hub.origin}/${HUB_REPO}/resolve/[0-9a-f]{40}/$`));
      expect(pkg.manifest.variants.map((v) => v.dtype)).toContain('q4');
    } finally {
      await hub.close();
    }
  });

  it('as a command: exit code 2 and the message for an unknown model, nothing written', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/bench-real.ts', '--model', 'no-such-model'], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('The registry (models/registry.json) has no model "no-such-model"');
    expect(existsSync(join(REPO, 'bench/results/real-no-such-model.json'))).toBe(false);
  });
});
