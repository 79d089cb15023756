/** What the model manager tells a user before a download: where a model would run, and why it would not. */
import { describe, expect, it } from 'vitest';
import { fittingModels, modelFit } from '../../web/lib/model-fit.ts';
import type { Capabilities } from '../../workers/contracts.ts';

const GiB = 1024 ** 3;
const caps = (webgpu: Capabilities['webgpu'], deviceMemoryGiB?: number): Capabilities => ({
  context: 'worker', webgpu, crossOriginIsolated: true, sharedArrayBuffer: true, hardwareConcurrency: 8, ...(deviceMemoryGiB ? { deviceMemoryGiB } : {}),
});
const laptopGpu = { available: true, isFallbackAdapter: false, shaderF16: true, maxBufferSize: 2 * GiB, description: 'Some GPU' };
const seven = { sizeBytes: 4.76e9, requires: { memoryBytes: 5.4e9, maxBufferBytes: 524_304_384, shaderF16: false, webgpu: true } };
const small = { sizeBytes: 8.5e6, requires: { memoryBytes: 16 * 1024 ** 2, maxBufferBytes: 4 * 1024 ** 2, shaderF16: false, webgpu: false } };
const mid = { sizeBytes: 1.8e9, requires: { memoryBytes: 2.04e9, maxBufferBytes: 933_494_784, shaderF16: false, webgpu: false } };

describe('model fit', () => {
  it('runs a GPU model on a capable GPU without warnings', () => {
    expect(modelFit(seven, caps(laptopGpu, 16))).toEqual({ runs: true, device: 'webgpu', warnings: [] });
  });
  it('refuses a GPU-only model without a hardware GPU and names a smaller one', () => {
    const fit = modelFit(seven, caps({ available: true, isFallbackAdapter: true }));
    expect(fit.runs).toBe(false);
    expect(fit.warnings[0]).toMatch(/needs a GPU, but this browser has no hardware WebGPU/);
  });
  it('names the buffer limit when the GPU is too small', () => {
    const fit = modelFit(seven, caps({ ...laptopGpu, maxBufferSize: 256 * 1024 ** 2 }));
    expect(fit.runs).toBe(false);
    expect(fit.warnings[0]).toMatch(/buffers of 500\.0 MiB, and this GPU allows 256\.0 MiB/);
  });
  it('names missing 16-bit shaders for a model that needs them', () => {
    const fit = modelFit({ ...mid, requires: { ...mid.requires, shaderF16: true, webgpu: true } }, caps({ ...laptopGpu, shaderF16: false }));
    expect(fit.warnings[0]).toMatch(/shader-f16/);
  });
  it('warns about memory the device does not have', () => {
    const fit = modelFit(seven, caps(laptopGpu, 4));
    expect(fit.runs).toBe(false);
    expect(fit.warnings).toEqual([expect.stringMatching(/about 5\.03 GiB of memory; this device reports 4\.00 GiB/)]);
  });
  it('runs a mid-size model on the CPU without a GPU, saying it is slow', () => {
    const fit = modelFit(mid, caps({ available: false, reason: 'no adapter' }));
    expect(fit).toMatchObject({ runs: true, device: 'wasm' });
    expect(fit.warnings[0]).toMatch(/runs on the CPU here .* slow/);
  });
  it('runs the demo model anywhere, quietly', () => {
    expect(modelFit(small, caps({ available: false }))).toEqual({ runs: true, device: 'wasm', warnings: [] });
    expect(modelFit(small, undefined).runs).toBe(true);
  });
  it('names the models that fit instead, largest first', () => {
    const list = [{ id: 's', title: 'Small', ...small }, { id: '7b', title: '7B', ...seven }, { id: 'm', title: 'Mid', ...mid }];
    expect(fittingModels(list, caps({ available: true, isFallbackAdapter: true })).map((m) => m.id)).toEqual(['m', 's']);
    expect(fittingModels(list, caps(laptopGpu, 16)).map((m) => m.id)).toEqual(['7b', 'm', 's']);
  });
});
