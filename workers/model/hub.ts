/**
 * A package description for a Hugging Face hub repository in onnx-community's layout, built at
 * run time from what the hub publishes: the tree API's file list (sizes, LFS sha256s, git blob
 * ids), config.json (architecture, `transformers.js_config.kv_cache_dtype`), generation_config.json
 * and tokenizer_config.json (token ids). The registry entry says what the hub cannot: title,
 * licence, solution format, value head and the variants to offer.
 *
 * Hub endpoints used (as huggingface_hub's `HfApi.model_info` / `list_repo_tree` call them):
 *   GET /api/models/{repo}/revision/{revision}      -> { sha: "<40-hex commit>", ... }
 *   GET /api/models/{repo}/tree/{commit}[/{path}]   -> [{ type: "file" | "directory", oid, size, path,
 *                                                        lfs?: { oid: "<sha256>", size, pointerSize }, xetHash? }]
 *                                                      (more pages behind `Link: <...>; rel="next"`)
 *   GET /{repo}/resolve/{commit}/{path}             -> the file (LFS files: 302 to the CDN)
 * A branch name in the entry's source is resolved to its commit once; every file then comes from
 * that commit, so one package never mixes two revisions.
 */
import { AppError, registerError } from '../common/errors.ts';
import registryJson from '../../models/registry.json';
import { parseRegistry, type RegistryDtype, type RegistryEntry } from './registry.ts';
import { sha256Hex } from '../common/hash.ts';
import { gitBlobSha1, parseManifest, type Manifest, type PackageFile, type Variant } from './manifest.ts';
import type { FileStore } from './download.ts';
import { creationHeapBytes, KV_DTYPE, WASM_MAX_BYTES } from './memory-plan.ts';
import { FORMATS } from '../formats.ts';

export class HubError extends AppError {
  override name = 'HubError';
}
registerError(HubError);

export interface HubRepo {
  /** e.g. https://huggingface.co */
  origin: string;
  /** "org/name" */
  repo: string;
  revision: string;
}

/** A hub download folder `https://<host>/<org>/<name>/resolve/<revision>/`, or undefined for any other URL. */
export function hubRepoOf(source: string): HubRepo | undefined {
  const m = /^(https?:\/\/[^/]+)\/([\w.-]+\/[\w.-]+)\/resolve\/([\w.-]+)\/$/.exec(source);
  return m ? { origin: m[1]!, repo: m[2]!, revision: m[3]! } : undefined;
}

/** One file of the tree API's answer (folders are left out). */
export interface HubFile {
  path: string;
  size: number;
  /** git blob id (sha1 of "blob <size>\0" + bytes); for LFS files, of the pointer. */
  oid: string;
  lfs?: { oid: string; size: number; pointerSize: number };
}

/** transformers.js's file name per dtype: onnx/model{suffix}.onnx (+ _data, _data_1, ...). */
export const GRAPH_SUFFIX: Record<RegistryDtype, string> = { fp32: '', fp16: '_fp16', q8: '_quantized', q4: '_q4', q4f16: '_q4f16' };
const QUANTIZATION: Record<RegistryDtype, string> = { fp32: 'none', fp16: 'float16', q8: 'int8 (dynamic, per channel)', q4: 'int4 (MatMulNBits, block 32)', q4f16: 'int4 (MatMulNBits, block 32), float16 activations' };
const COMMIT = /^[0-9a-f]{40}$/;

const entries = parseRegistry(registryJson);

/** The registry entry for a hub repository, matched by "org/name" on any host (the hub, a mirror, a test imitation). */
export function hubEntryFor(source: string, registry: readonly RegistryEntry[] = entries): RegistryEntry | undefined {
  const want = hubRepoOf(source)?.repo;
  return registry.find((e) => e.layout === 'hub' && hubRepoOf(e.source)?.repo === want);
}

type Fetch = typeof fetch;

async function getJson(url: string, what: string, doFetch: Fetch): Promise<{ json: unknown; response: Response }> {
  const response = await doFetch(url).catch(() => {
    throw new HubError(`Could not reach ${new URL(url).host} to read ${what}.`, {
      hint: 'You may be offline, or this site is not set up to download models from there (its Content-Security-Policy lists the allowed hosts).',
    });
  });
  if (!response.ok) {
    const code = response.headers.get('X-Error-Code');
    throw new HubError(`The hub answered ${response.status}${code ? ` (${code})` : ''} for ${what}.`, { hint: 'The repository or revision may have been removed; choose another model.', details: { url, status: response.status } });
  }
  try {
    return { json: await response.json(), response };
  } catch {
    throw new HubError(`The hub's answer for ${what} is not JSON.`, { details: { url } });
  }
}

function shape(cond: unknown, what: string, field: string): asserts cond {
  if (!cond) throw new HubError(`The hub's answer for ${what} has an unexpected shape: ${field}.`, { hint: 'The hub may have changed its API; update the tutor.' });
}

/** The commit a revision names (a commit id stays as it is). */
export async function resolveCommit(hub: HubRepo, doFetch: Fetch = fetch): Promise<string> {
  if (COMMIT.test(hub.revision)) return hub.revision;
  const what = `revision "${hub.revision}" of ${hub.repo}`;
  const { json } = await getJson(`${hub.origin}/api/models/${hub.repo}/revision/${encodeURIComponent(hub.revision)}`, what, doFetch);
  const sha = (json as { sha?: unknown })?.sha;
  shape(typeof sha === 'string' && COMMIT.test(sha), what, '"sha" is not a 40-digit commit id');
  return sha;
}

/** The files in one folder of the repository at `commit` (not recursive), every page. */
export async function listTree(hub: HubRepo, commit: string, path: string, doFetch: Fetch = fetch): Promise<HubFile[]> {
  const what = `the file list of ${hub.repo}/${path}`;
  const out: HubFile[] = [];
  let url: string | undefined = `${hub.origin}/api/models/${hub.repo}/tree/${commit}${path ? `/${encodeURIComponent(path)}` : ''}`;
  for (let page = 0; url; page++) {
    if (page > 100) throw new HubError(`${what} has more than 100 pages.`);
    const { json, response }: { json: unknown; response: Response } = await getJson(url, what, doFetch);
    shape(Array.isArray(json), what, 'it is not a list');
    for (const [i, item] of (json as Array<Record<string, unknown>>).entries()) {
      const at = `entry ${i}${typeof item?.path === 'string' ? ` (${item.path})` : ''}`;
      shape(typeof item === 'object' && item !== null, what, `${at} is not an object`);
      shape(item.type === 'file' || item.type === 'directory', what, `${at} has "type" ${JSON.stringify(item.type)}, neither "file" nor "directory"`);
      shape(typeof item.path === 'string' && item.path.length > 0 && !item.path.includes('..'), what, `${at} has no "path"`);
      shape(typeof item.oid === 'string', what, `${at} has no "oid"`);
      if (item.type === 'directory') continue;
      shape(Number.isInteger(item.size) && (item.size as number) >= 0, what, `${at} has no "size"`);
      const lfs = item.lfs as Record<string, unknown> | undefined | null;
      if (lfs !== undefined && lfs !== null) {
        shape(typeof lfs.oid === 'string' && /^[0-9a-f]{64}$/.test(lfs.oid), what, `${at} has an "lfs.oid" that is not a sha256`);
        shape(lfs.size === item.size, what, `${at} has an "lfs.size" other than its "size"`);
        out.push({ path: item.path as string, size: item.size as number, oid: item.oid as string, lfs: { oid: lfs.oid, size: lfs.size as number, pointerSize: Number(lfs.pointerSize) } });
      } else {
        shape(/^[0-9a-f]{40}$/.test(item.oid as string), what, `${at} has an "oid" that is not a git blob id`);
        out.push({ path: item.path as string, size: item.size as number, oid: item.oid as string });
      }
    }
    url = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get('Link') ?? '')?.[1];
  }
  return out;
}

/** A small file fetched and checked against the tree's git blob id (the hub gives no sha256 for files kept in git). */
async function fetchChecked(folder: string, file: HubFile, doFetch: Fetch): Promise<Uint8Array> {
  const response = await doFetch(`${folder}${file.path}`).catch(() => {
    throw new HubError(`Could not download ${file.path} from the hub.`, { hint: 'Check the connection and try again.' });
  });
  if (!response.ok) throw new HubError(`Could not download ${file.path} from the hub: it answered ${response.status}.`, { hint: 'Check the connection and try again.' });
  const bytes = new Uint8Array(await response.arrayBuffer());
  const ok = file.lfs ? (await sha256Hex(bytes)) === file.lfs.oid : (await gitBlobSha1(bytes)) === file.oid;
  if (!ok || bytes.length !== file.size) {
    throw new HubError(`${file.path} from the hub is damaged: its checksum does not match the hub's file list.`, { hint: 'Try again later.', details: { file: file.path } });
  }
  return bytes;
}

const json = (bytes: Uint8Array, path: string): Record<string, unknown> => {
  try {
    const v = JSON.parse(new TextDecoder().decode(bytes)) as unknown;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // named below
  }
  throw new HubError(`${path} from the hub is not a JSON object.`);
};

const ids = (v: unknown): number[] | undefined => (Number.isInteger(v) ? [v as number] : Array.isArray(v) && v.length > 0 && v.every(Number.isInteger) ? (v as number[]) : undefined);

/** A special token's id from tokenizer_config.json's `added_tokens_decoder` ({"151643": {"content": "<|endoftext|>"}}). */
function tokenId(tokenizerConfig: Record<string, unknown>, key: string): number | undefined {
  const raw = tokenizerConfig[key];
  const content = typeof raw === 'string' ? raw : typeof (raw as { content?: unknown })?.content === 'string' ? (raw as { content: string }).content : undefined;
  const decoder = tokenizerConfig.added_tokens_decoder as Record<string, { content?: unknown }> | undefined;
  if (content === undefined || typeof decoder !== 'object' || decoder === null) return undefined;
  const hit = Object.entries(decoder).find(([, t]) => t?.content === content);
  return hit ? Number(hit[0]) : undefined;
}

/** The cache dtype a graph variant keeps: `transformers.js_config.kv_cache_dtype` (one dtype, or one per variant), else by variant. */
export function kvCacheDtype(config: Record<string, unknown>, dtype: RegistryDtype): 'float32' | 'float16' {
  const set = (config['transformers.js_config'] as { kv_cache_dtype?: unknown } | undefined)?.kv_cache_dtype;
  const named = typeof set === 'string' ? set : typeof set === 'object' && set !== null ? (set as Record<string, unknown>)[dtype] : undefined;
  if (named === 'float16' || named === 'float32') return named;
  if (named !== undefined) throw new HubError(`config.json names the cache dtype ${JSON.stringify(named)} for ${dtype}; the tutor knows float32 and float16.`);
  return KV_DTYPE[dtype];
}

function int(config: Record<string, unknown>, key: string): number {
  const v = config[key];
  if (!Number.isInteger(v) || (v as number) <= 0) throw new HubError(`config.json lacks "${key}" (a positive integer).`, { hint: 'This repository is not a decoder the tutor can run.' });
  return v as number;
}

/** Parameters of a Llama / Mistral / Qwen2 decoder from its config (embedding counted once; Qwen2's q/k/v biases). */
export function parametersOf(config: Record<string, unknown>): number {
  const h = int(config, 'hidden_size');
  const layers = int(config, 'num_hidden_layers');
  const heads = int(config, 'num_attention_heads');
  const kv = Number.isInteger(config.num_key_value_heads) ? (config.num_key_value_heads as number) : heads;
  const hd = Number.isInteger(config.head_dim) ? (config.head_dim as number) : h / heads;
  const inter = int(config, 'intermediate_size');
  const vocab = int(config, 'vocab_size');
  const bias = config.model_type === 'qwen2' ? heads * hd + 2 * kv * hd : 0;
  const perLayer = h * heads * hd + 2 * h * kv * hd + heads * hd * h + bias + 3 * h * inter + 2 * h;
  return vocab * h * (config.tie_word_embeddings ? 1 : 2) + layers * perLayer + h;
}

export interface HubPackage {
  manifest: Manifest;
  /** The download folder at the resolved commit: `<origin>/<repo>/resolve/<commit>/`. */
  folder: string;
}

const REQUIRED = ['config.json', 'tokenizer.json', 'tokenizer_config.json'];

/**
 * The manifest of the hub repository at `source` for its registry entry. Refuses, naming the file
 * or field, a repository that lacks a needed file or answers in an unexpected shape.
 */
export async function hubManifest(source: string, entry: RegistryEntry, doFetch: Fetch = fetch): Promise<HubPackage> {
  const hub = hubRepoOf(source);
  if (!hub) throw new HubError(`${source} is not a hub download folder (https://<host>/<org>/<name>/resolve/<revision>/).`);
  const commit = await resolveCommit(hub, doFetch);
  const folder = `${hub.origin}/${hub.repo}/resolve/${commit}/`;
  const root = await listTree(hub, commit, '', doFetch);
  const onnx = await (async () => {
    // Not recursive: the root, then onnx/ (a repository without that folder answers 404: no graphs).
    try {
      return await listTree(hub, commit, 'onnx', doFetch);
    } catch (error) {
      if (error instanceof HubError && (error.details as { status?: number } | undefined)?.status === 404) return [];
      throw error;
    }
  })();
  const tree = new Map([...root, ...onnx].map((f) => [f.path, f]));
  for (const path of REQUIRED) if (!tree.has(path)) throw new HubError(`${hub.repo} at ${commit.slice(0, 7)} lacks ${path}.`, { hint: 'Choose another model; this repository is not in the layout the tutor reads.' });

  const small = new Map<string, Uint8Array>();
  for (const path of ['config.json', 'generation_config.json', 'tokenizer_config.json']) {
    const file = tree.get(path);
    if (file) small.set(path, await fetchChecked(folder, file, doFetch));
  }
  const config = json(small.get('config.json')!, 'config.json');
  const generation = small.has('generation_config.json') ? json(small.get('generation_config.json')!, 'generation_config.json') : {};
  const tokenizerConfig = json(small.get('tokenizer_config.json')!, 'tokenizer_config.json');

  const variants: Array<Variant & { kvCacheDtype: 'float32' | 'float16' }> = [];
  const wanted = entry.variants ?? ['q4'];
  for (const dtype of wanted) {
    const graph = `onnx/model${GRAPH_SUFFIX[dtype]}.onnx`;
    if (!tree.has(graph)) continue;
    const shards = [...tree.keys()]
      .filter((p) => p === `${graph}_data` || p.startsWith(`${graph}_data_`))
      .sort((a, b) => Number(/_(\d+)$/.exec(a)?.[1] ?? 0) - Number(/_(\d+)$/.exec(b)?.[1] ?? 0));
    variants.push({ dtype, quantization: QUANTIZATION[dtype], graph, externalData: shards, kvCacheDtype: kvCacheDtype(config, dtype) });
  }
  if (variants.length === 0) {
    throw new HubError(`${hub.repo} at ${commit.slice(0, 7)} lacks ${wanted.map((d) => `onnx/model${GRAPH_SUFFIX[d]}.onnx`).join(' and ')}.`, { hint: 'Choose another model; this repository has none of the graphs the tutor offers for it.' });
  }

  const eos = ids(generation.eos_token_id) ?? ids(config.eos_token_id) ?? ids(tokenId(tokenizerConfig, 'eos_token'));
  if (!eos) throw new HubError('generation_config.json, config.json and tokenizer_config.json name no end-of-text token ("eos_token_id" / "eos_token").');
  const pad = ids(generation.pad_token_id)?.[0] ?? ids(config.pad_token_id)?.[0] ?? tokenId(tokenizerConfig, 'pad_token') ?? eos[0]!;

  const heads = int(config, 'num_attention_heads');
  const hidden = int(config, 'hidden_size');
  const needed = new Set([...REQUIRED, ...(small.has('generation_config.json') ? ['generation_config.json'] : []), ...variants.flatMap((v) => [v.graph, ...v.externalData])]);
  const files: PackageFile[] = [];
  for (const path of needed) {
    const f = tree.get(path)!;
    const fetched = small.get(path);
    // LFS files carry their sha256 in the tree; small git files are checked by their blob id (fetched above, or when downloaded).
    files.push(f.lfs ? { path, bytes: f.size, sha256: f.lfs.oid } : fetched ? { path, bytes: f.size, sha256: await sha256Hex(fetched) } : { path, bytes: f.size, gitSha1: f.oid });
  }
  // The default per device: the first variant, in order of preference, whose session can be created
  // there (a single-file graph is copied whole into WebAssembly memory; memory-plan.ts), else the first.
  const sizeOf = (path: string) => tree.get(path)?.size ?? 0;
  const creatable = (v: Variant, device: 'webgpu' | 'wasm') => creationHeapBytes({ graphBytes: sizeOf(v.graph), externalBytes: v.externalData.reduce((n, p) => n + sizeOf(p), 0) }, device) <= WASM_MAX_BYTES;
  const pick = (order: readonly RegistryDtype[], device: 'webgpu' | 'wasm') => {
    const offered = order.map((d) => variants.find((v) => v.dtype === d)).filter((v) => v !== undefined);
    return (offered.find((v) => creatable(v, device)) ?? offered[0]!).dtype;
  };
  const webgpu = pick(['q4f16', 'q4', 'fp16', 'fp32', 'q8'], 'webgpu');
  const wasm = pick(['q4', 'q8', 'fp32', 'q4f16', 'fp16'], 'wasm');
  const num = (v: unknown, fallback: number) => (typeof v === 'number' && v >= 0 ? v : fallback);
  const manifest: Manifest = {
    formatVersion: 1,
    id: entry.id,
    version: commit,
    title: entry.title,
    ...(entry.description ? { description: entry.description } : {}),
    license: entry.license,
    solutionFormat: entry.solutionFormat,
    // The model's trained context, at most 4096 tokens (the memory plan shrinks it further where needed).
    contextLength: Math.min(int(config, 'max_position_embeddings'), 4096),
    architecture: {
      family: typeof config.model_type === 'string' ? config.model_type : 'unknown',
      numLayers: int(config, 'num_hidden_layers'),
      numHeads: heads,
      numKvHeads: Number.isInteger(config.num_key_value_heads) ? (config.num_key_value_heads as number) : heads,
      headDim: Number.isInteger(config.head_dim) ? (config.head_dim as number) : hidden / heads,
      hiddenSize: hidden,
      vocabSize: int(config, 'vocab_size'),
      parameters: parametersOf(config),
      ...(config.tie_word_embeddings ? { tiedEmbeddings: true } : {}),
    },
    variants,
    defaultVariant: { wasm, webgpu },
    tokens: { eos, pad },
    files,
    valueHead: { present: false, kind: 'none', output: '', activation: '', readAt: '', perStep: false },
    // Where generation_config.json is silent, the format's harness decides (Qwen2.5-Math: top_p 0.8, 2,048 new tokens per call).
    sampling: { temperature: num(generation.temperature, 0.7), topP: num(generation.top_p, FORMATS[entry.solutionFormat].topP ?? 0.95), topK: num(generation.top_k, 0), maxNewTokens: FORMATS[entry.solutionFormat].maxTokensPerCall ?? 1024, samples: 8 },
    // Stop strings come from the solution format (workers/formats.ts), not from the package.
    stop: [],
    source: { hub: hub.repo, commit },
  };
  return { manifest, folder };
}

/** Where a hub package's built manifest is kept, beside its files. */
export const HUB_MANIFEST = 'manifest.json';

/**
 * The package of a registry entry's hub repository: the manifest kept with its files when there
 * is one for this entry (the commit it was built at stays pinned, so a resumed or repeated load
 * reads the same files, offline too), else built from the hub and kept. A repository the
 * registry does not list is refused: the registry says what it is.
 */
export async function hubPackage(source: string, store?: FileStore, doFetch: Fetch = fetch): Promise<HubPackage> {
  const hub = hubRepoOf(source);
  const entry = hubEntryFor(source);
  if (!hub || !entry) throw new HubError(`The tutor offers no model from ${hub?.repo ?? source}.`, { hint: 'Choose a model in the model manager.' });
  if (store && (await store.size(entry.id, HUB_MANIFEST)) > 0) {
    try {
      const kept = parseManifest(JSON.parse(new TextDecoder().decode(await store.read(entry.id, HUB_MANIFEST))));
      const pinned = COMMIT.test(hub.revision) ? hub.revision : undefined;
      if (kept.source?.hub === hub.repo && (!pinned || kept.source.commit === pinned)) return { manifest: kept, folder: `${hub.origin}/${hub.repo}/resolve/${kept.source.commit}/` };
    } catch {
      // An unreadable kept manifest is rebuilt below.
    }
  }
  const built = await hubManifest(source, entry, doFetch);
  if (store) {
    await store.remove(entry.id, HUB_MANIFEST);
    await store.append(entry.id, HUB_MANIFEST, new TextEncoder().encode(JSON.stringify(built.manifest)));
  }
  return built;
}
