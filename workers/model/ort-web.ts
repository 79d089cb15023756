/**
 * ONNX Runtime Web, configured to load its WebAssembly from the app's own origin
 * (never a CDN): the JSEP build, which runs both the WebAssembly and the WebGPU
 * execution providers; multi-threaded when the page is cross-origin isolated.
 */
import * as ort from 'onnxruntime-web';
import wasmMjs from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.mjs?url';
import wasmBinary from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm?url';

let configured = false;

export function configureOrt(): typeof ort {
  if (!configured) {
    ort.env.wasm.wasmPaths = { mjs: wasmMjs, wasm: wasmBinary };
    ort.env.wasm.numThreads = globalThis.crossOriginIsolated ? Math.max(1, Math.min(4, (navigator.hardwareConcurrency || 2) - 1)) : 1;
    ort.env.logLevel = 'error';
    configured = true;
  }
  return ort;
}
