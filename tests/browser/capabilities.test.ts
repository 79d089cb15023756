/** WebGPU and cross-origin isolation as the model worker will see them, in real Chromium. */
import { describe, expect, it } from 'vitest';
import { probeWorkerCapabilities } from '../../workers/probe/client.ts';
import { detectCapabilities } from '../../workers/common/env.ts';

describe('capabilities', () => {
  it('reaches a WebGPU adapter inside a module worker', async () => {
    const caps = await probeWorkerCapabilities();
    expect(caps.context).toBe('worker');
    expect(caps.webgpu.available, caps.webgpu.reason).toBe(true);
    expect(caps.webgpu.maxBufferSize).toBeGreaterThan(0);
    expect(typeof caps.webgpu.shaderF16).toBe('boolean');
  });

  it('is cross-origin isolated, so SharedArrayBuffer is available', async () => {
    const caps = await detectCapabilities();
    expect(caps.context).toBe('window');
    expect(caps.crossOriginIsolated).toBe(true);
    expect(caps.sharedArrayBuffer).toBe(true);
  });

  it('reports storage quota for model downloads', async () => {
    const caps = await detectCapabilities();
    expect(caps.storage?.quota).toBeGreaterThan(0);
  });
});
