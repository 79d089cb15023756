/**
 * The one place that detects what this browser can do. Works on the main thread
 * and inside workers; nothing else in the app sniffs capabilities.
 */
import type { Capabilities, GpuInfo, StorageInfo } from '../contracts.ts';

export async function detectGpu(): Promise<GpuInfo> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) {
    return {
      available: false,
      reason: 'This browser does not offer WebGPU; the model runs on the CPU (WebAssembly), which is slower.',
    };
  }
  let adapter: GPUAdapter | null = null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (error) {
    return { available: false, reason: `WebGPU is present but failed to start (${String(error)}); using WebAssembly.` };
  }
  if (!adapter) {
    return { available: false, reason: 'WebGPU found no usable graphics adapter; using WebAssembly.' };
  }
  const info = adapter.info;
  return {
    available: true,
    vendor: info.vendor,
    architecture: info.architecture,
    description: info.description,
    isFallbackAdapter: (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter ?? false,
    shaderF16: adapter.features.has('shader-f16'),
    maxBufferSize: adapter.limits.maxBufferSize,
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
  };
}

export async function detectStorage(): Promise<StorageInfo | undefined> {
  const storage = (globalThis.navigator as Navigator | undefined)?.storage;
  if (!storage?.estimate) return undefined;
  try {
    const estimate = await storage.estimate();
    const persisted = storage.persisted ? await storage.persisted() : false;
    return { quota: estimate.quota ?? 0, usage: estimate.usage ?? 0, persisted };
  } catch {
    return undefined;
  }
}

export async function detectCapabilities(): Promise<Capabilities> {
  const inWorker = typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined'
    && typeof (globalThis as { document?: unknown }).document === 'undefined';
  const nav = globalThis.navigator as (Navigator & { deviceMemory?: number }) | undefined;
  const storage = await detectStorage();
  const caps: Capabilities = {
    context: inWorker ? 'worker' : 'window',
    webgpu: await detectGpu(),
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    sharedArrayBuffer: typeof SharedArrayBuffer !== 'undefined',
    hardwareConcurrency: nav?.hardwareConcurrency ?? 1,
  };
  if (nav?.deviceMemory !== undefined) caps.deviceMemoryGiB = nav.deviceMemory;
  if (storage) caps.storage = storage;
  return Object.freeze(caps);
}
