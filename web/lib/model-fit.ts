/**
 * Whether a model of the registry can run on this device, told before anything is
 * downloaded: the path it would take (WebGPU or WebAssembly) and, when it does not fit,
 * what is missing in words a student understands. Pure.
 */
import type { Capabilities } from '../../workers/contracts.ts';
import type { RegistryEntry } from '../../workers/model/registry.ts';
import { formatBytes, WASM_MAX_BYTES } from '../../workers/model/memory-plan.ts';

export interface Fit {
  /** The model can run here (perhaps slowly). */
  runs: boolean;
  device: 'webgpu' | 'wasm';
  /** Why it cannot run, or what will be slow; empty when all is well. */
  warnings: string[];
}

export function modelFit(entry: Pick<RegistryEntry, 'requires' | 'sizeBytes'>, caps: Capabilities | undefined): Fit {
  const gpu = caps?.webgpu;
  const hardwareGpu = Boolean(gpu?.available && !gpu.isFallbackAdapter);
  const need = entry.requires;
  const warnings: string[] = [];
  const gpuProblems: string[] = [];
  if (!hardwareGpu) gpuProblems.push('this browser has no hardware WebGPU');
  else {
    if (need.shaderF16 && !gpu?.shaderF16) gpuProblems.push('this GPU lacks 16-bit float shaders (shader-f16)');
    if (gpu?.maxBufferSize !== undefined && need.maxBufferBytes > gpu.maxBufferSize) {
      gpuProblems.push(`it needs GPU buffers of ${formatBytes(need.maxBufferBytes)}, and this GPU allows ${formatBytes(gpu.maxBufferSize)}`);
    }
  }
  const memory = caps?.deviceMemoryGiB !== undefined ? caps.deviceMemoryGiB * 1024 ** 3 : undefined;
  if (memory !== undefined && need.memoryBytes > memory) {
    warnings.push(`It needs about ${formatBytes(need.memoryBytes)} of memory; this device reports ${formatBytes(memory)}.`);
  }
  if (gpuProblems.length === 0) return { runs: warnings.length === 0, device: 'webgpu', warnings };
  if (need.webgpu) {
    warnings.unshift(`It needs a GPU, but ${gpuProblems.join(' and ')}.`);
    return { runs: false, device: 'wasm', warnings };
  }
  if (need.memoryBytes > WASM_MAX_BYTES) {
    warnings.unshift(`Without a usable GPU (${gpuProblems.join(' and ')}) it would run on the CPU, whose WebAssembly memory is limited to ${formatBytes(WASM_MAX_BYTES)}.`);
    return { runs: false, device: 'wasm', warnings };
  }
  if (entry.sizeBytes > 256 * 1024 ** 2) warnings.push(`It runs on the CPU here (${gpuProblems.join(' and ')}), which is slow for a model this size.`);
  return { runs: warnings.every((w) => !w.startsWith('It needs about')), device: 'wasm', warnings };
}

/** The models of the list that run here, largest first: what to offer when one does not fit. */
export function fittingModels<E extends Pick<RegistryEntry, 'id' | 'title' | 'requires' | 'sizeBytes'>>(entries: readonly E[], caps: Capabilities | undefined): E[] {
  return entries.filter((e) => modelFit(e, caps).runs).sort((a, b) => b.sizeBytes - a.sizeBytes);
}

/**
 * The model to recommend on this device instead of the bundled demo: the largest registry model
 * that runs here on a hardware GPU without a warning, and whose files the registry says where to
 * get (a path the deployer must first fill, such as a converted 7B, is not offered unasked).
 * Undefined when nothing better than the demo fits: then the page recommends nothing.
 */
export function recommendedModel<E extends Pick<RegistryEntry, 'id' | 'title' | 'requires' | 'sizeBytes' | 'bundled' | 'sourceSetBy'>>(
  entries: readonly E[],
  caps: Capabilities | undefined,
): E | undefined {
  return fittingModels(entries, caps).find((e) => {
    const fit = modelFit(e, caps);
    return !e.bundled && e.sourceSetBy === undefined && fit.device === 'webgpu' && fit.warnings.length === 0;
  });
}
