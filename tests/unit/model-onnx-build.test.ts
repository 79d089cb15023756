/**
 * The decoder's helper graphs (workers/model/onnx-build.ts), run by ONNX Runtime (onnxruntime-node,
 * CPU), against the same selection done in JavaScript: the last position of some rows' logits (rows
 * in any order, repeated), and rows of several cache tensors gathered at once, in float32 and float16.
 * In the browser they run on WebGPU (tests/browser/model-gpu-outputs.test.ts).
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { gatherGraph, pickGraph } from '../../workers/model/onnx-build.ts';

const rows = (r: number[]) => new ort.Tensor('int64', BigInt64Array.from(r.map(BigInt)), [r.length]);

describe('helper graphs', () => {
  it('pick: the last position of the chosen rows, [k, 1, vocab]', async () => {
    const [R, S, V] = [5, 7, 11];
    const data = Float32Array.from({ length: R * S * V }, (_, i) => Math.sin(i) * 10);
    const session = await ort.InferenceSession.create(pickGraph('float32'));
    for (const pick of [[4, 0, 2], [1], [3, 3], [0, 1, 2, 3, 4]]) {
      const out = await session.run({ logits: new ort.Tensor('float32', data, [R, S, V]), rows: rows(pick) });
      expect(out.last!.dims).toEqual([pick.length, 1, V]);
      const want = pick.flatMap((r) => Array.from(data.subarray((r * S + S - 1) * V, (r * S + S) * V)));
      expect(Array.from(out.last!.data as Float32Array)).toEqual(want);
    }
    // One position (a decode step): that position.
    const one = await session.run({ logits: new ort.Tensor('float32', data.subarray(0, R * V), [R, 1, V]), rows: rows([2]) });
    expect(Array.from(one.last!.data as Float32Array)).toEqual(Array.from(data.subarray(2 * V, 3 * V)));
    await session.release();
  });

  it('gather: the same rows of every tensor, float32 and float16', async () => {
    const dims = [4, 2, 3, 5];
    const per = 2 * 3 * 5;
    for (const type of ['float32', 'float16'] as const) {
      const session = await ort.InferenceSession.create(gatherGraph(type, 3));
      const inputs = [0, 1, 2].map((t) => (type === 'float32' ? Float32Array.from({ length: 4 * per }, (_, i) => t * 1000 + i) : Uint16Array.from({ length: 4 * per }, (_, i) => 0x3c00 + t * 200 + i)));
      const pick = [3, 1, 1];
      const feeds: Record<string, ort.Tensor> = { rows: rows(pick) };
      inputs.forEach((d, i) => (feeds[`x${i}`] = new ort.Tensor(type, d, dims)));
      const out = await session.run(feeds);
      inputs.forEach((d, i) => {
        const y = out[`y${i}`]!;
        expect(y.dims).toEqual([3, 2, 3, 5]);
        expect(Array.from(y.data as ArrayLike<number>)).toEqual(pick.flatMap((r) => Array.from(d.subarray(r * per, (r + 1) * per))));
      });
      await session.release();
    }
  });
});
