import { modelHosts, parseRegistry } from '../../workers/model/registry.ts';
import registryJson from '../../models/registry.json';
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, headersFile, securityHeaders } from '../../web/security/headers.ts';

describe('security headers', () => {
  it('isolates the page and keeps connections on the origin by default', () => {
    const headers = securityHeaders();
    expect(headers['Cross-Origin-Opener-Policy']).toBe('same-origin');
    expect(headers['Cross-Origin-Embedder-Policy']).toBe('require-corp');
    const csp = headers['Content-Security-Policy'];
    expect(csp).toContain("connect-src 'self';");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain("'unsafe-eval'");
  });

  it('lists exactly the model hosts it is given', () => {
    const csp = contentSecurityPolicy({ connectHosts: ['https://huggingface.co'] });
    expect(csp).toContain("connect-src 'self' https://huggingface.co;");
  });

  it('allows the HMR websocket only on the dev server', () => {
    expect(contentSecurityPolicy({ dev: true })).toContain('ws://localhost:*');
    expect(contentSecurityPolicy()).not.toContain('ws:');
  });

  it('writes a static-host headers file covering every path', () => {
    const file = headersFile();
    expect(file.split('\n')[0]).toBe('/*');
    expect(file).toContain('  Cross-Origin-Embedder-Policy: require-corp');
  });

  it("allows, one by one, every host the hub's downloads go to: the hub, its CDNs and the Xet bridge", () => {
    const hosts = modelHosts(parseRegistry(registryJson));
    const connect = contentSecurityPolicy({ connectHosts: hosts }).split('; ').find((d) => d.startsWith('connect-src '))!.split(' ').slice(1);
    for (const host of ['https://huggingface.co', 'https://cas-bridge.xethub.hf.co', 'https://transfer.xethub.hf.co', 'https://us.aws.cdn.hf.co', 'https://cdn-lfs.hf.co']) expect(connect).toContain(host);
    expect(connect.some((h) => h.includes('*'))).toBe(false);
  });
});
