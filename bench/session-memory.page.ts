/**
 * The page side of bench/session-memory.bench.ts: how far ONNX Runtime Web's WebAssembly memory
 * grows while it creates a session (WebAssembly or WebGPU) from a graph file, with or without
 * external data. The memory never shrinks, so its size after `create` is the peak.
 */
const memories: WebAssembly.Memory[] = [];
const Original = WebAssembly.Memory;
const Recording = function (descriptor: WebAssembly.MemoryDescriptor) {
  const m = new Original(descriptor);
  memories.push(m);
  return m;
} as unknown as typeof WebAssembly.Memory;
Recording.prototype = Original.prototype;
WebAssembly.Memory = Recording;
const keepExported = (result: WebAssembly.WebAssemblyInstantiatedSource | WebAssembly.Instance) => {
  const instance = 'instance' in result ? result.instance : result;
  for (const v of Object.values(instance.exports)) if (v instanceof Original) memories.push(v);
  return result;
};
const instantiate = WebAssembly.instantiate.bind(WebAssembly);
WebAssembly.instantiate = ((...args: Parameters<typeof WebAssembly.instantiate>) => instantiate(...args).then(keepExported)) as typeof WebAssembly.instantiate;
const streaming = WebAssembly.instantiateStreaming?.bind(WebAssembly);
if (streaming) WebAssembly.instantiateStreaming = ((...args: Parameters<typeof WebAssembly.instantiateStreaming>) => streaming(...args).then(keepExported)) as typeof WebAssembly.instantiateStreaming;

const { configureOrt } = await import('../workers/model/ort-web.ts');
const heap = () => Math.max(0, ...memories.map((m) => m.buffer.byteLength));
const bytes = async (url: string) => new Uint8Array(await (await fetch(url)).arrayBuffer());

export interface HeapRun {
  device: 'wasm' | 'webgpu';
  graph: string;
  externalData?: string;
  warmup: string;
}

async function run(r: HeapRun) {
  const ort = configureOrt();
  await (await ort.InferenceSession.create(await bytes(r.warmup), { executionProviders: [r.device] })).release();
  const graph = await bytes(r.graph);
  const data = r.externalData ? await bytes(r.externalData) : undefined;
  const before = heap();
  const session = await ort.InferenceSession.create(graph, { executionProviders: [r.device], ...(data ? { externalData: [{ path: r.externalData!.split('/').pop()!, data }] } : {}) });
  const after = heap();
  await session.release();
  return { fileBytes: graph.byteLength + (data?.byteLength ?? 0), heapBefore: before, heapAfter: after };
}

(window as unknown as { sessionHeap: typeof run }).sessionHeap = run;
document.title = 'ready';
