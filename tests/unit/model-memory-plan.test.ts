/**
 * The memory plan with the numbers of real models: MARIO-OVM-7B (Llama-2-7B shape) and
 * Qwen2.5-Math-1.5B-Instruct, and the shipped demo package.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { budgetFor, checkCreation, CREATION_FACTORS, creationHeapBytes, kvCacheBytes, MemoryPlanError, memoryNeed, planMemory, weightsBytes, WASM_MAX_BYTES, type ArchitectureSize } from '../../workers/model/memory-plan.ts';
import { parseManifest } from '../../workers/model/manifest.ts';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

/** Parameters of a Llama-shaped decoder (q/k/v/o, gated MLP, RMS norms, optional q/k/v biases), plus a one-logit value head. */
function llamaParameters(hidden: number, intermediate: number, layers: number, vocab: number, heads: number, kvHeads: number, headDim: number, tied: boolean, qkvBias: boolean): number {
  const attention = hidden * heads * headDim * 2 + hidden * kvHeads * headDim * 2 + (qkvBias ? heads * headDim + 2 * kvHeads * headDim : 0);
  const layer = attention + 3 * hidden * intermediate + 2 * hidden;
  return vocab * hidden * (tied ? 1 : 2) + layers * layer + hidden + hidden + 1;
}

/** MARIO-OVM-7B-v1: Llemma-7B's vocabulary of 32 016 tokens (its config.json), Llama-2-7B's layers, one value head. */
const MARIO_OVM_7B: ArchitectureSize = {
  numLayers: 32, numHeads: 32, numKvHeads: 32, headDim: 128, hiddenSize: 4096, vocabSize: 32016,
  parameters: llamaParameters(4096, 11008, 32, 32016, 32, 32, 128, false, false),
};
const QWEN25_MATH_15B: ArchitectureSize = {
  numLayers: 28, numHeads: 12, numKvHeads: 2, headDim: 128, hiddenSize: 1536, vocabSize: 151936, tiedEmbeddings: true,
  parameters: llamaParameters(1536, 8960, 28, 151936, 12, 2, 128, true, true),
};

describe('memory plan: MARIO-OVM-7B (32 layers, 32 kv heads, head_dim 128)', () => {
  it('has the expected size', () => {
    // 6 738 546 688 of Llama-2-7B's layers with a 32016-token vocabulary plus a 4097-parameter value head.
    expect(MARIO_OVM_7B.parameters).toBe(6_738_546_688 + 4097);
    // 6.61 G quantized parameters at 4.5 bits + the 32016 x 4096 embedding in float32.
    expect(weightsBytes(MARIO_OVM_7B, 'q4') / GiB).toBeCloseTo(3.95, 2);
    expect(weightsBytes(MARIO_OVM_7B, 'q4f16') / GiB).toBeCloseTo(3.71, 2);
  });

  it('needs 1 MiB of float32 KV cache per token (0.5 MiB in float16)', () => {
    expect(kvCacheBytes(MARIO_OVM_7B, 'q4', 1, 1)).toBe(32 * 32 * 128 * 2 * 4);
    expect(kvCacheBytes(MARIO_OVM_7B, 'q4', 1, 1)).toBe(MiB);
    expect(kvCacheBytes(MARIO_OVM_7B, 'q4f16', 2048, 8, 'float16')).toBe(8 * GiB);
    // 8 samples x 2048 tokens with a float32 cache: 16 GiB, held twice during a call.
    const need = memoryNeed(MARIO_OVM_7B, 'q4', 8, 2048);
    expect(need.kvCacheBytes).toBe(16 * GiB);
    expect(need.totalBytes / GiB).toBeCloseTo(36.51, 2);
  });

  it('shrinks the batch, then the context, to fit a GPU; refuses WebAssembly with the numbers', () => {
    const gpu = (gib: number) => ({ device: 'webgpu' as const, memoryBytes: gib * GiB, maxBufferBytes: 2 * GiB });
    expect(planMemory(MARIO_OVM_7B, 'q4f16', gpu(24), { batch: 8, context: 2048, kvCacheDtype: 'float16' })).toMatchObject({ batch: 8, context: 2048, reductions: [] });
    // Without kv_cache_dtype a q4f16 graph keeps a float32 cache (keep_io_types): twice the bytes, half the batch.
    expect(planMemory(MARIO_OVM_7B, 'q4f16', gpu(24), { batch: 8, context: 2048 })).toMatchObject({ batch: 4, context: 2048 });
    expect(planMemory(MARIO_OVM_7B, 'q4', gpu(16), { batch: 8, context: 2048 })).toMatchObject({ batch: 2, context: 2048, reductions: ['batch 8 → 2'] });
    expect(planMemory(MARIO_OVM_7B, 'q4', gpu(8), { batch: 8, context: 2048 })).toMatchObject({ batch: 1, context: 1024 });
    const error = (() => {
      try {
        planMemory(MARIO_OVM_7B, 'q4', budgetFor('wasm', undefined, 8), { batch: 8, context: 2048 });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(MemoryPlanError);
    expect((error as Error).message).toBe(
      'This model (q4) needs 5.04 GiB even for one solution of 512 tokens (weights 3.95 GiB, KV cache 2 x 512.0 MiB, working memory 87.3 MiB), but WebAssembly has about 4.00 GiB.',
    );
  });

  it("gives the registry entry's figures: one solution of 512 tokens, and the embedding as the largest buffer", () => {
    const entry = (JSON.parse(readFileSync('models/registry.json', 'utf8')) as { models: Array<{ id: string; requires: { memoryBytes: number; maxBufferBytes: number } }> }).models.find((m) => m.id === 'mario-ovm-7b')!;
    const one = memoryNeed(MARIO_OVM_7B, 'q4', 1, 512);
    // 32016 x 4096 x 4 bytes: above the 524 304 384 a 32001-token vocabulary would need.
    expect(one.largestBufferBytes).toBe(524_550_144);
    expect(entry.requires).toMatchObject({ memoryBytes: one.totalBytes, maxBufferBytes: one.largestBufferBytes });
  });
});

describe('memory plan: Qwen2.5-Math-1.5B (28 layers, 2 kv heads, head_dim 128, vocab 151936)', () => {
  it('has the expected size', () => {
    // 1 543 714 304 of Qwen2.5-Math-1.5B plus a 1537-parameter value head.
    expect(QWEN25_MATH_15B.parameters).toBe(1_543_714_304 + 1537);
    // The 151936 x 1536 embedding stays float32 (890 MiB) and returns quantized as the tied output projection.
    expect(weightsBytes(QWEN25_MATH_15B, 'q4') / GiB).toBeCloseTo(1.68, 2);
  });

  it('needs 56 KiB of float32 KV cache per token', () => {
    expect(kvCacheBytes(QWEN25_MATH_15B, 'q4', 1, 1)).toBe(28 * 2 * 128 * 2 * 4);
    expect(kvCacheBytes(QWEN25_MATH_15B, 'q4', 1, 1)).toBe(56 * 1024);
    expect(kvCacheBytes(QWEN25_MATH_15B, 'q4', 4096, 8)).toBe(1.75 * GiB);
  });

  it('plans a float32 cache for q4f16 where config.json names no kv_cache_dtype: 2 x 1.75 GiB at 8 x 4096, not 2 x 0.875', () => {
    expect(memoryNeed(QWEN25_MATH_15B, 'q4f16', 8, 4096).kvCacheBytes).toBe(1.75 * GiB);
    expect(memoryNeed(QWEN25_MATH_15B, 'q4f16', 8, 4096, { kvCacheDtype: 'float16' }).kvCacheBytes).toBe(0.875 * GiB);
    expect(memoryNeed(QWEN25_MATH_15B, 'fp16', 8, 4096).kvCacheBytes).toBe(0.875 * GiB);
  });

  it("limits a single tensor by the GPU's storage-binding size as well as its buffer size", () => {
    expect(budgetFor('webgpu', { maxBufferSize: 4 * GiB, maxStorageBufferBindingSize: 512 * MiB }, 16).maxBufferBytes).toBe(512 * MiB);
    expect(budgetFor('webgpu', { maxBufferSize: 256 * MiB, maxStorageBufferBindingSize: GiB }, 16).maxBufferBytes).toBe(256 * MiB);
    // The fp16 embedding of MARIO-OVM-7B (32016 x 4096 x 2 bytes, 250 MiB) does not fit a 128 MiB binding (WebGPU's default limit).
    expect(() => planMemory(MARIO_OVM_7B, 'fp16', budgetFor('webgpu', { maxBufferSize: 4 * GiB, maxStorageBufferBindingSize: 128 * MiB }, 64), { batch: 1, context: 512 }))
      .toThrow('needs a single buffer of 250.1 MiB, but the GPU allows at most 128.0 MiB per buffer');
  });

  it('fits 8 x 4096 tokens on an 8 GiB GPU, 4 x 2048 in WebAssembly; a 256 MiB buffer limit refuses it', () => {
    const plan = planMemory(QWEN25_MATH_15B, 'q4', { device: 'webgpu', memoryBytes: 8 * GiB, maxBufferBytes: 2 * GiB }, { batch: 8, context: 4096 });
    expect(plan).toMatchObject({ batch: 8, context: 4096, reductions: [] });
    expect(plan.totalBytes / GiB).toBeCloseTo(6.02, 2);
    // Logits for 8 rows x 128 appended tokens x 151936 are the largest call (622 MB).
    expect(plan.activationsBytes / MiB).toBeCloseTo(857.5, 1);
    expect(planMemory(QWEN25_MATH_15B, 'q4', budgetFor('wasm', undefined, 8), { batch: 8, context: 2048 })).toMatchObject({ batch: 4, context: 2048 });
    expect(() => planMemory(QWEN25_MATH_15B, 'q4', { device: 'webgpu', memoryBytes: 8 * GiB, maxBufferBytes: 256 * MiB }, { batch: 8, context: 4096 }))
      .toThrow('needs a single buffer of 890.3 MiB, but the GPU allows at most 256.0 MiB per buffer');
  });
});

describe('memory while a session is created: single-file graphs', () => {
  // onnx-community/Qwen2.5-Math-1.5B-Instruct: onnx/model_q4.onnx about 1.76 GB and model_q4f16.onnx about 1.21 GB, each one file.
  const q4 = { graphBytes: 1.76e9, externalBytes: 0 };
  const q4f16 = { graphBytes: 1.21e9, externalBytes: 0 };
  it('counts the file copied whole into WebAssembly memory and parsed there, at the factors bench/session-memory.bench.ts measured', () => {
    const measured = JSON.parse(readFileSync('bench/results/session-memory.json', 'utf8')) as { runs: Array<{ device: string; graph: string; grownOverFile: number }> };
    for (const run of measured.runs) {
      const f = CREATION_FACTORS[run.device as 'wasm' | 'webgpu'][run.graph === 'single file' ? 'graph' : 'external'];
      // The plan's factor covers what was measured, by at most 0.1 (rounded up).
      expect(f).toBeGreaterThanOrEqual(run.grownOverFile);
      expect(f - run.grownOverFile).toBeLessThanOrEqual(0.1);
    }
    expect(creationHeapBytes(q4, 'wasm')).toBe(3.2 * 1.76e9);
    expect(creationHeapBytes(q4, 'webgpu')).toBe(2.5 * 1.76e9);
    expect(creationHeapBytes({ graphBytes: 1e6, externalBytes: 4.4e9 }, 'webgpu')).toBe(2.5e6);
  });

  it('refuses the 1.76 GB q4 graph before download, naming the single file (WebAssembly and the GPU path alike); the 1.21 GB q4f16 fits both', () => {
    expect(() => checkCreation(q4, 'q4', 'wasm')).toThrow(MemoryPlanError);
    expect(() => checkCreation(q4, 'q4', 'wasm')).toThrow('The q4 graph is a single file of 1.64 GiB: ONNX Runtime Web copies it whole into its WebAssembly memory to create the session, which takes about 5.25 GiB there, more than the 4.00 GiB WebAssembly can address.');
    expect(() => checkCreation(q4, 'q4', 'webgpu')).toThrow('even on the GPU path, ONNX Runtime Web copies it whole');
    expect(creationHeapBytes(q4f16, 'wasm')).toBeLessThan(WASM_MAX_BYTES);
    expect(() => checkCreation(q4f16, 'q4f16', 'wasm')).not.toThrow();
    expect(() => checkCreation(q4f16, 'q4f16', 'webgpu')).not.toThrow();
    // MARIO-OVM-7B's q4 package keeps its 4.4 GiB of weights in shards: too much for WebAssembly, fine for the GPU path.
    expect(() => checkCreation({ graphBytes: 1e6, externalBytes: 4.75e9 }, 'q4', 'wasm')).toThrow('Creating the q4 session takes about');
    expect(() => checkCreation({ graphBytes: 1e6, externalBytes: 4.75e9 }, 'q4', 'webgpu')).not.toThrow();
  });
});

describe('memory plan: the demo package', () => {
  it('fits its 8 samples at full context in WebAssembly with room to spare', () => {
    const manifest = parseManifest(JSON.parse(readFileSync('models/packages/demo-mario-tiny/manifest.json', 'utf8')));
    const plan = planMemory(manifest.architecture, 'q8', budgetFor('wasm', undefined, undefined), { batch: manifest.sampling.samples, context: manifest.contextLength });
    expect(plan).toMatchObject({ batch: 8, context: manifest.contextLength, reductions: [] });
    expect(plan.totalBytes).toBeLessThan(64 * MiB);
  });
});
