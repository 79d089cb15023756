/** Manifest checks, the model registry, and the device choice (pure: no model is run). */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ManifestError, parseManifest } from '../../workers/model/manifest.ts';
import { parseRegistry, RegistryError } from '../../workers/model/registry.ts';
import { chooseDevice } from '../../workers/model/load.ts';
import { memoryNeed } from '../../workers/model/memory-plan.ts';
import type { GpuInfo } from '../../workers/contracts.ts';

const raw = JSON.parse(readFileSync('models/packages/demo-mario-tiny/manifest.json', 'utf8')) as Record<string, unknown>;
const manifest = parseManifest(raw);
const without = (key: string) => Object.fromEntries(Object.entries(raw).filter(([k]) => k !== key));

describe('manifest', () => {
  it('names the unknown format version and the one it reads', () => {
    expect(() => parseManifest({ ...raw, formatVersion: 2 })).toThrow('uses package format version 2, but this version of the tutor reads version 1');
  });

  it('names each missing or wrong field', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [without('title'), '"title" is missing'],
      [without('license'), '"license" is missing'],
      [without('sampling'), '"sampling" is missing'],
      [without('stop'), '"stop" must be a list of strings'],
      [{ ...raw, architecture: { ...(raw.architecture as object), headDim: 0 } }, '"architecture.headDim" must be a positive integer'],
      [{ ...raw, defaultVariant: { wasm: 'q4', webgpu: 'fp32' } }, '"defaultVariant.wasm" names q4, which is not among the variants'],
      [{ ...raw, sampling: { ...(raw.sampling as object), topP: 'high' } }, '"sampling.topP" must be a number >= 0'],
    ];
    for (const [bad, message] of cases) {
      const error = (() => {
        try {
          parseManifest(bad);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(ManifestError);
      expect((error as Error).message).toContain(message);
      expect((error as Error).message).toContain('"demo-mario-tiny"');
    }
  });
});

describe('registry', () => {
  const registry = parseRegistry(JSON.parse(readFileSync('models/registry.json', 'utf8')));

  it('lists the demo package consistently with its manifest', () => {
    const demo = registry.find((m) => m.id === 'demo-mario-tiny')!;
    expect(demo).toMatchObject({ title: manifest.title, license: manifest.license, solutionFormat: manifest.solutionFormat, valueHead: manifest.valueHead.present, source: '/models/demo-mario-tiny/' });
    // The shown size may lag a retrained package a little; the manifest has the exact bytes.
    const total = manifest.files.reduce((sum, f) => sum + f.bytes, 0);
    expect(Math.abs(demo.sizeBytes - total) / total).toBeLessThan(0.25);
    // One sample at the shortest context must fit what it claims to need.
    const need = memoryNeed(manifest.architecture, manifest.defaultVariant.wasm, 1, Math.min(512, manifest.contextLength));
    expect(need.totalBytes).toBeLessThanOrEqual(demo.requires.memoryBytes);
    expect(need.largestBufferBytes).toBeLessThanOrEqual(demo.requires.maxBufferBytes);
  });

  it('refuses a broken list, naming the entry', () => {
    expect(() => parseRegistry({ formatVersion: 1, models: [{ id: 'x', title: 'X' }] })).toThrow(RegistryError);
    expect(() => parseRegistry({ formatVersion: 1, models: [{ id: 'x', title: 'X' }] })).toThrow('entry 0 (x) lacks "license"');
    expect(() => parseRegistry({ formatVersion: 3, models: [] })).toThrow('format version 3');
  });
});

describe('device choice', () => {
  const gpu: GpuInfo = { available: true, vendor: 'acme', description: 'Acme GPU', isFallbackAdapter: false, shaderF16: false, maxBufferSize: 2 ** 31, maxStorageBufferBindingSize: 2 ** 31 };

  it('takes a hardware GPU with its plan, and says why it does not', () => {
    expect(chooseDevice(manifest, gpu, 8)).toMatchObject({ device: 'webgpu', dtype: manifest.defaultVariant.webgpu, plan: { batch: manifest.sampling.samples, context: manifest.contextLength } });
    expect(chooseDevice(manifest, { ...gpu, isFallbackAdapter: true })).toMatchObject({ device: 'wasm', dtype: manifest.defaultVariant.wasm, reason: expect.stringContaining('software') });
    expect(chooseDevice(manifest, { available: false, reason: 'No WebGPU here.' })).toMatchObject({ device: 'wasm', reason: 'No WebGPU here.' });
    // A GPU whose buffers are too small for the embedding falls back to WebAssembly, naming the numbers.
    const tiny = chooseDevice(manifest, { ...gpu, maxBufferSize: 64 * 1024 });
    expect(tiny.device).toBe('wasm');
    expect(tiny.reason).toMatch(/needs a single buffer of .* MiB, but the GPU allows at most 64\.0 KiB per buffer\. Running on WebAssembly instead\./);
  });
});
