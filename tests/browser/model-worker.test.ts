/**
 * The model worker in real Chromium (ONNX Runtime Web served from the origin): the random
 * test package decoded through ModelClient on WebAssembly and on WebGPU (SwiftShader's
 * software adapter here), batched greedy against a full recomputation, device choice,
 * cancellation. Prints decode speeds for the record.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ModelClient } from '../../workers/model/client.ts';
import { CancelledError, GpuDeviceLostError } from '../../workers/common/errors.ts';
import type { DecodeSession } from '../../workers/types.ts';
import { OpfsStore } from '../../workers/model/download.ts';
import type { ModelEvent } from '../../workers/contracts.ts';

// The browser runner serves the project root, so fixtures have root-relative paths.
const BASE = '/tests/fixtures/model/';
const ID = 'tiny-random';
const client = new ModelClient();
afterAll(() => client.dispose());

async function reference(): Promise<{ prompt: string; greedyTokens: number[] }> {
  return (await (await fetch(`${BASE}${ID}/manifest.json`)).json()).reference;
}

const greedy = (n: number) => Array.from({ length: n }, (_, seed) => ({ seed, temperature: 0, topP: 1 }));

describe('model worker', () => {
  it('chooses WebAssembly over a software GPU adapter and says why', async () => {
    const info = await client.load(BASE, ID);
    expect(info).toMatchObject({ id: ID, device: 'wasm', dtype: 'q8', plan: { batch: 8, reductions: [] } });
    expect(info.deviceReason).toMatch(/software|WebGPU/);
    // The worker kept the verified graph in the origin private file system.
    const manifest = await (await fetch(`${BASE}${ID}/manifest.json`)).json();
    const graph = manifest.files.find((f: { path: string }) => f.path === 'onnx/model_quantized.onnx');
    expect(await new OpfsStore().size(ID, graph.path)).toBe(graph.bytes);
  }, 60_000);

  it('WebAssembly: batched greedy equals a full recomputation, token for token', async () => {
    const ref = await reference();
    await client.load(BASE, ID, { device: 'wasm' });
    const result = await client.generate({ jobId: 'wasm-greedy', prompt: ref.prompt, samplers: greedy(4), maxNewTokens: 32 });
    const expected = await client.greedyReference(ref.prompt, 32);
    for (const s of result.sequences) expect(s.tokens).toEqual(expected);
    const sampled = await client.generate({ jobId: 'wasm-speed', prompt: ref.prompt, samplers: Array.from({ length: 8 }, (_, seed) => ({ seed, temperature: 0.7, topP: 0.95 })), maxNewTokens: 64 });
    const single = await client.generate({ jobId: 'wasm-speed-1', prompt: ref.prompt, samplers: [{ seed: 0, temperature: 0.7, topP: 0.95 }], maxNewTokens: 64 });
    console.log(`tiny-random, WebAssembly q8: batch 8 ${sampled.tokensPerSecond.toFixed(0)} tokens/s, batch 1 ${single.tokensPerSecond.toFixed(0)} tokens/s`);
  }, 60_000);

  it('WebGPU: greedy equals the torch reference and a full recomputation', async () => {
    const ref = await reference();
    const info = await client.load(BASE, ID, { device: 'webgpu' });
    expect(info).toMatchObject({ device: 'webgpu', dtype: 'fp32' });
    const result = await client.generate({ jobId: 'gpu-greedy', prompt: ref.prompt, samplers: greedy(2), maxNewTokens: 12 });
    for (const s of result.sequences) expect(s.tokens).toEqual(ref.greedyTokens.slice(0, 12));
    expect(await client.greedyReference(ref.prompt, 12)).toEqual(ref.greedyTokens.slice(0, 12));
    console.log(`tiny-random, WebGPU (software adapter) fp32: batch 2 ${result.tokensPerSecond.toFixed(0)} tokens/s`);
  }, 120_000);

  it('WebGPU: a device lost mid-generation restarts the generation on WebAssembly', async () => {
    const ref = await reference();
    expect((await client.load(BASE, ID, { device: 'webgpu' })).device).toBe('webgpu');
    const events: ModelEvent[] = [];
    let lost: Promise<boolean> | undefined;
    const result = await client.generate({ jobId: 'gpu-lost', prompt: ref.prompt, samplers: greedy(2), maxNewTokens: 16 }, (e) => {
      events.push(e);
      if (e.type === 'tokens' && !lost) lost = client.simulateDeviceLoss();
    });
    expect(await lost).toBe(true);
    const restarted = events.findIndex((e) => e.type === 'restarted');
    expect(events[restarted]).toMatchObject({ type: 'restarted', device: 'wasm', reason: expect.stringContaining('GPU stopped working') });
    // Text streamed after the restart is the whole result; the tokens are WebAssembly's (q8) greedy ones.
    // Events travel on the callback's own channel, so the last batch may land just after the result.
    const streamedAfterRestart = () => {
      const after = ['', ''];
      for (const e of events.slice(restarted)) if (e.type === 'tokens') for (const d of e.deltas) after[d.sequence] += d.text;
      return after;
    };
    await expect.poll(streamedAfterRestart, { timeout: 5_000 }).toEqual(result.sequences.map((s) => s.text));
    const expected = await client.greedyReference(ref.prompt, 16);
    for (const s of result.sequences) expect(s.tokens).toEqual(expected);
  }, 120_000);

  it('loads the demo package from /models/ and decodes 8 samples (speeds for the record)', async () => {
    const info = await client.load('/models/', 'demo-mario-tiny', { device: 'wasm' });
    expect(info.device).toBe('wasm');
    const manifest = await (await fetch('/models/demo-mario-tiny/manifest.json')).json();
    const prompt: string = manifest.reference.prompt;
    const samplers = (n: number) => Array.from({ length: n }, (_, seed) => ({ seed, temperature: 0.7, topP: 0.95 }));
    const eight = await client.generate({ jobId: 'demo-8', prompt, samplers: samplers(8), maxNewTokens: 64 });
    const one = await client.generate({ jobId: 'demo-1', prompt, samplers: samplers(1), maxNewTokens: 64 });
    expect(eight.sequences).toHaveLength(8);
    console.log(`demo-mario-tiny, WebAssembly ${info.dtype}: batch 8 ${eight.tokensPerSecond.toFixed(0)} tokens/s, batch 1 ${one.tokensPerSecond.toFixed(0)} tokens/s, prefill ${one.prefillMs.toFixed(0)} ms, load ${info.loadMs.toFixed(0)} ms`);
  }, 60_000);

  it('cancels a generation through its AbortSignal and stays usable', async () => {
    const ref = await reference();
    await client.load(BASE, ID, { device: 'wasm' });
    const controller = new AbortController();
    const running = client.generate({ jobId: 'cancel-me', prompt: ref.prompt, samplers: greedy(4), maxNewTokens: 100_000 }, (e) => {
      if (e.type === 'tokens') controller.abort();
    }, controller.signal);
    await expect(running).rejects.toBeInstanceOf(CancelledError);
    const after = await client.generate({ jobId: 'after-cancel', prompt: ref.prompt, samplers: greedy(1), maxNewTokens: 4 });
    expect(after.sequences[0]!.tokens).toHaveLength(4);
  }, 60_000);

  it('loads the model again into a fresh worker when the one that held it was terminated', async () => {
    const ref = await reference();
    await client.load(BASE, ID, { device: 'wasm' });
    const before = await client.generate({ jobId: 'before-kill', prompt: ref.prompt, samplers: greedy(1), maxNewTokens: 4 });
    // As when a cancelled generation does not let go within the grace time: the worker is terminated.
    (client as unknown as { bridge: { restart(reason: string): void } }).bridge.restart('terminated for the test');
    const after = await client.generate({ jobId: 'after-kill', prompt: ref.prompt, samplers: greedy(1), maxNewTokens: 4 });
    expect(after.sequences[0]!.tokens).toEqual(before.sequences[0]!.tokens);
  }, 60_000);

  /** Text of every row after `steps` steps of a remote decode session. */
  async function decodeText(session: DecodeSession, prompt: string, rows: number, steps: number): Promise<string[]> {
    await session.start(prompt, greedy(rows));
    const texts = Array.from({ length: rows }, () => '');
    for (let i = 0; i < steps; i++) for (const [row, delta] of (await session.step()).deltas) texts[row] += delta;
    return texts;
  }

  it('a decode session driven call by call (as the solve loop does) gives the text a generation gives', async () => {
    const ref = await reference();
    await client.load(BASE, ID, { device: 'wasm' });
    const generated = await client.generate({ jobId: 'session-ref', prompt: ref.prompt, samplers: greedy(2), maxNewTokens: 10 });
    const session = await client.openDecoder();
    expect(session.device).toBe('wasm');
    expect(await decodeText(session, ref.prompt, 2, 10)).toEqual(generated.sequences.map((s) => s.text));
    await session.dispose();
    // A disposed session is gone in the worker: its number names nothing.
    await expect(session.step()).rejects.toThrow(/decoding session has ended/);
  }, 60_000);

  it('WebGPU: a device lost under a decode session ends it, lets the worker go, and the next session runs on WebAssembly', async () => {
    const ref = await reference();
    expect((await client.load(BASE, ID, { device: 'webgpu' })).device).toBe('webgpu');
    const session = await client.openDecoder();
    await session.start(ref.prompt, greedy(2));
    await session.step();
    expect(await client.simulateDeviceLoss()).toBe(true);
    const lost = await session.step().then(() => undefined, (e: unknown) => e);
    expect(lost).toBeInstanceOf(GpuDeviceLostError);
    // Every later call gives the same error without a message to the worker, whose thread a lost device may hold.
    await expect(session.append(0, ' more')).rejects.toBe(lost);
    await session.dispose();
    const next = await client.openDecoder();
    expect(next.device).toBe('wasm');
    const onWasm = await client.generate({ jobId: 'after-loss', prompt: ref.prompt, samplers: greedy(2), maxNewTokens: 6 });
    expect(await decodeText(next, ref.prompt, 2, 6)).toEqual(onWasm.sequences.map((s) => s.text));
    await next.dispose();
  }, 120_000);
});
