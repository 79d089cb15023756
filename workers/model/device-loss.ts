/**
 * A lost GPU device (driver reset, out of GPU memory, device destroyed) makes every
 * later ONNX Runtime call on it fail or never settle, and the WebAssembly module that
 * ran it stays marked busy. So model calls race the device's `lost` promise, and the
 * caller that sees GpuDeviceLostError starts a fresh worker on the CPU path.
 */
import { GpuDeviceLostError } from '../common/errors.ts';
import type { SessionLike } from './ort-types.ts';

interface OrtWithWebGpu {
  env: { webgpu: { device: unknown } };
}

/** Rejects with GpuDeviceLostError when ORT's WebGPU device is lost; never settles otherwise. */
export function watchDeviceLoss(ort: OrtWithWebGpu): Promise<never> {
  // ORT's typings say a promise; once a WebGPU session exists this build holds the device itself.
  const device = Promise.resolve(ort.env.webgpu.device as GPUDevice | Promise<GPUDevice> | undefined);
  const lost = device
    .then((d) => d?.lost ?? new Promise<never>(() => {}))
    .then((info): never => {
      throw new GpuDeviceLostError(`The GPU stopped working${info.message ? ` (${info.message})` : ''}.`, {
        hint: 'The tutor goes on with the CPU (WebAssembly), which is slower. Close other GPU-heavy tabs or choose a smaller model to use the GPU again.',
        details: { reason: info.reason },
      });
    });
  lost.catch(() => {});
  return lost;
}

/** The same session, whose runs reject as soon as the device is lost. */
export function guardSession(session: SessionLike, lost: Promise<never>): SessionLike {
  const guarded: SessionLike = {
    run: (feeds) => Promise.race([session.run(feeds), lost]),
    // What the graph declares stays readable (the decoder reads it).
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    inputMetadata: session.inputMetadata,
    outputMetadata: session.outputMetadata,
  };
  if (session.release) {
    const release = session.release.bind(session);
    // Releasing on a lost device may never settle either.
    guarded.release = () => Promise.race([release(), lost.catch(() => undefined)]).then(() => undefined);
  }
  return guarded;
}

/** Destroy ORT's WebGPU device as a driver crash would (tests, diagnostics). False when there is none. */
export async function destroyDevice(ort: OrtWithWebGpu): Promise<boolean> {
  const device = await Promise.resolve(ort.env.webgpu.device as GPUDevice | Promise<GPUDevice> | undefined).catch(() => undefined);
  if (!device) return false;
  device.destroy();
  return true;
}
