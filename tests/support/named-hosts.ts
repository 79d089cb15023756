/**
 * The model hosts by their real names, on loopback: the browser tests' Chromium resolves
 * `huggingface.co` and every `*.hf.co` host (so also hosts no policy lists) to one HTTPS server here
 * (`--host-resolver-rules`, a self-signed certificate accepted with `--ignore-certificate-errors`), so a
 * test can follow a redirect from the hub to each host the page's Content-Security-Policy names.
 *
 * - `GET /redirect?to=<url>`: `302 Found` to `<url>`, as the hub answers a `resolve` URL of an LFS or Xet file.
 * - anything else: `200` with the text `file from <Host header>`.
 * Both with the CORS and CORP headers a cross-origin-isolated page needs.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The port the named hosts answer on: fixed per test run, since Chromium's flags are read before any server starts. */
export const NAMED_HOSTS_PORT = Number(process.env.TUTOR_NAMED_HOSTS_PORT ?? 20_000 + (process.pid % 20_000));
process.env.TUTOR_NAMED_HOSTS_PORT = String(NAMED_HOSTS_PORT);

/** Chromium flags that send the named hosts to the loopback server. */
export function namedHostArgs(): string[] {
  const rules = ['huggingface.co', '*.huggingface.co', '*.hf.co'].map((h) => `MAP ${h} 127.0.0.1:${NAMED_HOSTS_PORT}`);
  return [`--host-resolver-rules=${rules.join(', ')}`, '--ignore-certificate-errors'];
}

export async function startNamedHosts(): Promise<{ close: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'named-hosts-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    '-days', '2', '-subj', '/CN=huggingface.co'], { stdio: 'ignore' });
  const server = createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (req, res) => {
    const cors = {
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Headers': '*',
      'Access-Control-Expose-Headers': '*',
      'Cross-Origin-Resource-Policy': 'cross-origin',
    };
    if (req.method === 'OPTIONS') return void res.writeHead(204, cors).end();
    const url = new URL(req.url ?? '/', `https://${req.headers.host}`);
    const to = url.pathname === '/redirect' ? url.searchParams.get('to') : null;
    if (to) return void res.writeHead(302, { ...cors, Location: to }).end();
    res.writeHead(200, { ...cors, 'Content-Type': 'text/plain' }).end(`file from ${req.headers.host?.split(':')[0]}`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(NAMED_HOSTS_PORT, '127.0.0.1', resolve);
  });
  return {
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}
