/**
 * The package description of a hub repository, built from the hub's tree API, against the loopback
 * imitation of the hub (tests/support/hub-server.ts) serving the tiny converted Qwen2 in
 * onnx-community's layout under the registry's repository name: files, sizes and checksums from
 * the tree, architecture and token ids from the configs, the commit pinned, every download verified;
 * a missing file, an unexpected answer or a damaged file refused by name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureConvertedFixtures, HUB_PACKAGE, HUB_REPO } from '../support/converted-fixtures.ts';
import { startHubServer, type HubServer } from '../support/hub-server.ts';
import { hubEntryFor, hubManifest, hubPackage, kvCacheDtype, listTree, parametersOf } from '../../workers/model/hub.ts';
import { downloadPackage, MemoryStore } from '../../workers/model/download.ts';
import { PackageManager } from '../../workers/model/packages.ts';
import { chooseDevice } from '../../workers/model/load.ts';
import { parseManifest } from '../../workers/model/manifest.ts';
import registry from '../../models/registry.json';

let hub: HubServer;
/** The fixture's two graphs, as onnx-community publishes them: q4 one file, q4f16 with external data. */
const Q4 = 'onnx/model_q4.onnx';
const Q4F16 = 'onnx/model_q4f16.onnx';
let source: string;
const entry = () => hubEntryFor(source)!;
const control = (body: object) => fetch(`${hub.origin}/__control`, { method: 'POST', body: JSON.stringify(body) });
const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as Error);

beforeAll(async () => {
  const missing = ensureConvertedFixtures();
  if (missing) throw new Error(missing);
  hub = await startHubServer({ [HUB_REPO]: HUB_PACKAGE });
  source = `${hub.origin}/${HUB_REPO}/resolve/main/`;
});
afterAll(() => hub.close());

describe('hub manifest', () => {
  it('answers the tree API in the shape huggingface_hub reads (RepoFile / RepoFolder)', async () => {
    const root = (await (await fetch(`${hub.origin}/api/models/${HUB_REPO}/tree/main`)).json()) as Array<Record<string, unknown>>;
    expect(root[0]).toEqual({ type: 'directory', oid: expect.stringMatching(/^[0-9a-f]{40}$/), size: 0, path: 'onnx' });
    expect(root.find((e) => e.path === 'config.json')).toEqual({ type: 'file', oid: expect.stringMatching(/^[0-9a-f]{40}$/), size: expect.any(Number), path: 'config.json' });
    const onnx = (await (await fetch(`${hub.origin}/api/models/${HUB_REPO}/tree/main/onnx`)).json()) as Array<Record<string, unknown>>;
    const lfsFile = (path: string) => ({ type: 'file', oid: expect.stringMatching(/^[0-9a-f]{40}$/), size: expect.any(Number), path, lfs: { oid: expect.stringMatching(/^[0-9a-f]{64}$/), size: onnx.find((e) => e.path === path)!.size, pointerSize: expect.any(Number) } });
    expect(onnx).toEqual([Q4, Q4F16, `${Q4F16}_data`].map(lfsFile));
    expect((await fetch(`${hub.origin}/api/models/${HUB_REPO}/tree/main/nothing`)).status).toBe(404);
    const info = (await (await fetch(`${hub.origin}/api/models/${HUB_REPO}/revision/main`)).json()) as { sha: string };
    expect(info.sha).toBe(hub.commits[HUB_REPO]);
  });

  it('builds the manifest from the tree and the configs, pinned to the commit main names', async () => {
    expect(entry().id).toBe('qwen2.5-math-1.5b-instruct');
    const { manifest, folder } = await hubManifest(source, entry());
    const commit = hub.commits[HUB_REPO]!;
    expect(folder).toBe(`${hub.origin}/${HUB_REPO}/resolve/${commit}/`);
    expect(manifest.version).toBe(commit);
    expect(manifest.source).toEqual({ hub: HUB_REPO, commit });
    // The registry offers q4 and q4f16: the q4 graph is one file with its weights inside, the q4f16 one has
    // its weights in model_q4f16.onnx_data; config.json names no cache dtype, so both keep a float32 cache.
    expect(manifest.variants).toEqual([
      { dtype: 'q4', quantization: expect.any(String), graph: Q4, externalData: [], kvCacheDtype: 'float32' },
      { dtype: 'q4f16', quantization: expect.any(String), graph: Q4F16, externalData: [`${Q4F16}_data`], kvCacheDtype: 'float32' },
    ]);
    // Both can be created on WebAssembly (tiny files): q4 there, q4f16 first on a GPU (one with shader-f16: load.ts).
    expect(manifest.defaultVariant).toEqual({ wasm: 'q4', webgpu: 'q4f16' });
    expect(manifest.architecture).toMatchObject({ family: 'qwen2', numLayers: 2, numHeads: 3, numKvHeads: 1, headDim: 16, hiddenSize: 48, vocabSize: 1958, tiedEmbeddings: true });
    expect(manifest.tokens).toEqual({ eos: [1], pad: 0 });
    expect(manifest.files.map((f) => f.path).sort()).toEqual(['config.json', 'generation_config.json', Q4, Q4F16, `${Q4F16}_data`, 'tokenizer.json', 'tokenizer_config.json']);
    const tree = await listTree({ origin: hub.origin, repo: HUB_REPO, revision: commit }, commit, 'onnx');
    for (const entry of tree) expect(manifest.files.find((f) => f.path === entry.path)).toEqual({ path: entry.path, bytes: entry.size, sha256: entry.lfs!.oid });
    // tokenizer.json is kept in git: checked by its blob id when it is downloaded.
    expect(manifest.files.find((f) => f.path === 'tokenizer.json')).toMatchObject({ gitSha1: expect.stringMatching(/^[0-9a-f]{40}$/) });
    expect(parseManifest(JSON.parse(JSON.stringify(manifest)))).toEqual(manifest);
  });

  it('follows the tree pages (Link rel="next") to the same manifest', async () => {
    const whole = await hubManifest(source, entry());
    await control({ clearLog: true, pageSize: 2 });
    try {
      expect(await hubManifest(source, entry())).toEqual(whole);
      expect(hub.log.filter((r) => r.path.includes('/tree/') && r.path.includes('cursor=')).length).toBeGreaterThan(0);
    } finally {
      await control({});
    }
  });

  it('downloads at the commit and verifies every file: LFS by sha256, git files by blob id', async () => {
    const { manifest, folder } = await hubManifest(source, entry());
    const store = new MemoryStore();
    await control({ clearLog: true });
    await downloadPackage(folder, manifest, manifest.files.map((f) => f.path), store);
    expect(hub.log.filter((r) => r.server === 'hub').every((r) => r.path.includes(`/resolve/${manifest.version}/`))).toBe(true);
    expect(await store.size(manifest.id, 'tokenizer.json')).toBe(manifest.files.find((f) => f.path === 'tokenizer.json')!.bytes);

    for (const path of ['onnx/model_q4.onnx', 'tokenizer.json']) {
      await control({ corruptFile: path });
      const error = await failure(downloadPackage(folder, manifest, [path], new MemoryStore()));
      expect(error?.name).toBe('ChecksumError');
      expect(error?.message).toContain(`${path} of model "qwen2.5-math-1.5b-instruct" is damaged`);
    }
    await control({ corruptFile: 'config.json' });
    const error = await failure(hubManifest(source, entry()));
    expect(error?.name).toBe('HubError');
    expect(error?.message).toContain('config.json from the hub is damaged');
    await control({});
  });

  it('refuses a repository that lacks a needed file, naming it', async () => {
    try {
      for (const [file, named] of [['tokenizer.json', 'lacks tokenizer.json'], ['config.json', 'lacks config.json'], [[Q4, Q4F16], 'lacks onnx/model_q4.onnx and onnx/model_q4f16.onnx']] as const) {
        await control({ hideFile: file });
        const error = await failure(hubManifest(source, entry()));
        expect(error?.name).toBe('HubError');
        expect(error?.message).toContain(named);
      }
    } finally {
      await control({});
    }
  });

  it('refuses a tree answer of an unexpected shape, naming the field', async () => {
    try {
      for (const field of ['size', 'type', 'path', 'oid']) {
        await control({ dropTreeField: field });
        const error = await failure(hubManifest(source, entry()));
        expect(error?.name).toBe('HubError');
        expect(error?.message).toMatch(new RegExp(`unexpected shape: entry \\d+.* "${field}"`));
      }
    } finally {
      await control({});
    }
    const notAList = await failure(listTree({ origin: hub.origin, repo: HUB_REPO, revision: 'main' }, 'main', '', async () => new Response('{"files": []}', { status: 200 })));
    expect(notAList?.message).toContain('unexpected shape: it is not a list');
    const badSha = await failure(hubManifest(source, entry(), async () => new Response('{"sha": "main"}', { status: 200 })));
    expect(badSha?.message).toContain('"sha" is not a 40-digit commit id');
  });

  it('keeps the built manifest with the files: a second load reads it without asking the hub; an unlisted repository is refused', async () => {
    const store = new MemoryStore();
    const first = await hubPackage(source, store);
    await control({ clearLog: true });
    const second = await hubPackage(source, store);
    expect(second).toEqual(first);
    expect(hub.log).toEqual([]);
    const error = await failure(hubPackage(`${hub.origin}/someone/Other-Model/resolve/main/`, store));
    expect(error?.message).toContain('The tutor offers no model from someone/Other-Model');
  });

  it('prefers the variant whose single-file graph can be created; a model manager download that cannot fit is refused before any graph byte', async () => {
    const real = { [Q4]: 1_761_000_000, [Q4F16]: 1_210_000_000 };
    const noGpu = { available: false, reason: 'no WebGPU in this test' };
    try {
      await control({ fakeSizes: real });
      const { manifest } = await hubManifest(source, entry());
      expect(manifest.variants.map((v) => v.dtype)).toEqual(['q4', 'q4f16']);
      // 3 x 1.76 GB does not fit 32-bit WebAssembly while the session is created; 3 x 1.21 GB does.
      expect(manifest.defaultVariant).toEqual({ wasm: 'q4f16', webgpu: 'q4f16' });
      expect(chooseDevice(manifest, noGpu, 16)).toMatchObject({ device: 'wasm', dtype: 'q4f16' });

      const onlyQ4 = { fakeSizes: { [Q4]: real[Q4] }, hideFile: [Q4F16, `${Q4F16}_data`] };
      await control({ ...onlyQ4, clearLog: true });
      const only = await hubManifest(source, entry());
      expect(() => chooseDevice(only.manifest, noGpu, 16)).toThrow('The q4 graph is a single file of 1.64 GiB');
      await control({ ...onlyQ4, clearLog: true });
      const manager = new PackageManager(new MemoryStore(), async () => noGpu);
      const error = await failure(manager.download(source, 'big', () => {}));
      expect(error?.name).toBe('MemoryPlanError');
      expect(error?.message).toContain('copies it whole into its WebAssembly memory');
      expect(hub.log.some((r) => r.path.includes('model_q4'))).toBe(false);
    } finally {
      await control({});
    }
  });

  it('reads the cache dtype from config.json (transformers.js_config.kv_cache_dtype), and the parameters of the real Qwen2.5-Math-1.5B', () => {
    expect(kvCacheDtype({}, 'q4')).toBe('float32');
    // Silent: q4f16 exports keep float32 cache IO (keep_io_types=True); fp16 ones a float16 cache.
    expect(kvCacheDtype({}, 'q4f16')).toBe('float32');
    expect(kvCacheDtype({}, 'fp16')).toBe('float16');
    const perVariant = { 'transformers.js_config': { kv_cache_dtype: { q4f16: 'float16', fp16: 'float16' } } };
    expect(kvCacheDtype(perVariant, 'q4')).toBe('float32');
    expect(kvCacheDtype(perVariant, 'q4f16')).toBe('float16');
    expect(kvCacheDtype({ 'transformers.js_config': { kv_cache_dtype: 'float16' } }, 'q4')).toBe('float16');
    expect(() => kvCacheDtype({ 'transformers.js_config': { kv_cache_dtype: 'bfloat16' } }, 'q4')).toThrow(/"bfloat16" for q4/);
    // Qwen/Qwen2.5-Math-1.5B-Instruct's config.json: 1.54 B parameters (Qwen's model card).
    const qwen = { model_type: 'qwen2', hidden_size: 1536, intermediate_size: 8960, num_hidden_layers: 28, num_attention_heads: 12, num_key_value_heads: 2, vocab_size: 151936, tie_word_embeddings: true };
    expect(parametersOf(qwen) / 1e9).toBeCloseTo(1.54, 2);
    expect(registry.models.some((m) => m.id === entry().id)).toBe(true);
  });
});
