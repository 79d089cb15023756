/** Which real model the page recommends on a first visit, from the registry and the model fit rules. */
import { describe, expect, it } from 'vitest';
import { recommendedModel } from '../../web/lib/model-fit.ts';
import { parseRegistry } from '../../workers/model/registry.ts';
import registryJson from '../../models/registry.json';
import type { Capabilities } from '../../workers/contracts.ts';

const GiB = 1024 ** 3;
const registry = parseRegistry(registryJson);
const caps = (webgpu: Capabilities['webgpu'], deviceMemoryGiB?: number): Capabilities => ({
  context: 'worker', webgpu, crossOriginIsolated: true, sharedArrayBuffer: true, hardwareConcurrency: 8, ...(deviceMemoryGiB ? { deviceMemoryGiB } : {}),
});
const laptopGpu = { available: true, isFallbackAdapter: false, shaderF16: true, maxBufferSize: 2 * GiB, maxStorageBufferBindingSize: 2 * GiB, description: 'Some GPU' };

describe('model recommendation', () => {
  it('recommends the hub model on a laptop GPU with enough memory, never the bundled demo or a deployer-served path', () => {
    const pick = recommendedModel(registry, caps(laptopGpu, 8));
    expect(pick?.id).toBe('qwen2.5-math-1.5b-instruct');
  });
  it('recommends nothing on a software adapter, without WebGPU, or with too little memory', () => {
    expect(recommendedModel(registry, caps({ ...laptopGpu, isFallbackAdapter: true }, 8))).toBeUndefined();
    expect(recommendedModel(registry, caps({ available: false, reason: 'no adapter' }, 8))).toBeUndefined();
    expect(recommendedModel(registry, caps(laptopGpu, 1))).toBeUndefined();
    expect(recommendedModel(registry, undefined)).toBeUndefined();
  });
  it('recommends nothing when the GPU buffers are too small for the model', () => {
    expect(recommendedModel(registry, caps({ ...laptopGpu, maxBufferSize: 256 * 1024 ** 2 }, 8))).toBeUndefined();
  });
});
