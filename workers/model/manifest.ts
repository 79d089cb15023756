/**
 * Reading and checking a model package's manifest (format: models/FORMAT.md).
 * Every problem is named, so a broken package is refused with a message that says
 * which field or file is wrong.
 */
import { AppError, registerError } from '../common/errors.ts';
import { sha256Hex } from '../common/hash.ts';
import { FORMAT_IDS, isSolutionFormatId, type SolutionFormatId } from '../formats.ts';
import { STRATEGY_IDS, type PackageSelection } from '../types.ts';

export const SUPPORTED_FORMAT_VERSION = 1;

export class ManifestError extends AppError {
  override name = 'ManifestError';
}
registerError(ManifestError);

export class ChecksumError extends AppError {
  override name = 'ChecksumError';
}
registerError(ChecksumError);

export interface PackageFile {
  path: string;
  bytes: number;
  /** Every file of a converted package has one; a hub file kept in git (not LFS) has `gitSha1` instead. */
  sha256?: string;
  /** git blob id (sha1 of "blob <bytes>\0" + content), as the hub's tree API lists it for files kept in git. */
  gitSha1?: string;
}

export interface Variant {
  dtype: 'fp32' | 'fp16' | 'q8' | 'q4' | 'q4f16';
  quantization: string;
  graph: string;
  externalData: string[];
  /** The dtype of past_key_values / present (hub builds: config.json's kv_cache_dtype); default by dtype (memory-plan.ts). */
  kvCacheDtype?: 'float32' | 'float16';
}

export interface Manifest {
  formatVersion: number;
  id: string;
  version: string;
  title: string;
  description?: string;
  license: string;
  solutionFormat: SolutionFormatId;
  contextLength: number;
  architecture: { family: string; numLayers: number; numHeads: number; numKvHeads: number; headDim: number; hiddenSize: number; vocabSize: number; parameters: number; tiedEmbeddings?: boolean };
  variants: Variant[];
  defaultVariant: { wasm: Variant['dtype']; webgpu: Variant['dtype'] };
  tokens: { eos: number[]; pad: number };
  files: PackageFile[];
  valueHead: { present: boolean; kind: string; output: string; activation: string; readAt: string; perStep: boolean };
  sampling: { temperature: number; topP: number; topK: number; maxNewTokens: number; samples: number };
  stop: string[];
  /** Built from a hub repository at this commit (workers/model/hub.ts), not published as a manifest. */
  source?: { hub: string; commit: string };
  /** How this package's answers are chosen by default, and when one is shown as "likely". */
  selection?: PackageSelection;
  reference?: { prompt: string; promptTokens: number[]; greedyTokens: number[]; texts: string[]; values: number[] };
}

function need(cond: unknown, id: string, what: string): asserts cond {
  if (!cond) throw new ManifestError(`The model package "${id}" has a broken manifest: ${what}.`, { hint: 'Download the model again, or choose another model.' });
}

export function parseManifest(json: unknown): Manifest {
  const m = json as Partial<Manifest>;
  const id = typeof m?.id === 'string' ? m.id : '(unnamed)';
  need(typeof json === 'object' && json !== null, id, 'it is not a JSON object');
  if (m.formatVersion !== SUPPORTED_FORMAT_VERSION) {
    throw new ManifestError(
      `The model package "${id}" uses package format version ${String(m.formatVersion)}, but this version of the tutor reads version ${SUPPORTED_FORMAT_VERSION}.`,
      { hint: 'Update the tutor (reload the page), or use a package made for this version.' },
    );
  }
  need(typeof m.id === 'string' && /^[\w.-]+$/.test(m.id), id, '"id" is missing or has characters other than letters, digits, ".", "_" and "-"');
  need(typeof m.version === 'string', id, '"version" is missing');
  need(typeof m.title === 'string' && m.title.length > 0, id, '"title" is missing');
  need(typeof m.license === 'string' && m.license.length > 0, id, '"license" is missing');
  need(isSolutionFormatId(m.solutionFormat), id, `"solutionFormat" ${String(m.solutionFormat)} is not one the tutor knows (${FORMAT_IDS.join(', ')})`);
  need(Number.isInteger(m.contextLength) && m.contextLength! > 0, id, '"contextLength" must be a positive integer');
  const a = m.architecture;
  need(a && typeof a === 'object', id, '"architecture" is missing');
  for (const key of ['numLayers', 'numHeads', 'numKvHeads', 'headDim', 'hiddenSize', 'vocabSize', 'parameters'] as const) {
    need(Number.isInteger(a[key]) && a[key] > 0, id, `"architecture.${key}" must be a positive integer`);
  }
  need(Array.isArray(m.variants) && m.variants.length > 0, id, '"variants" lists no ONNX graph');
  need(Array.isArray(m.files) && m.files.length > 0, id, '"files" is empty');
  for (const f of m.files!) {
    need(typeof f.path === 'string' && !f.path.includes('..') && !f.path.startsWith('/'), id, `file path ${JSON.stringify(f.path)} is not a plain relative path`);
    need(Number.isInteger(f.bytes) && f.bytes >= 0, id, `file ${f.path} has no byte size`);
    need((typeof f.sha256 === 'string' && /^[0-9a-f]{64}$/.test(f.sha256)) || (m.source !== undefined && typeof f.gitSha1 === 'string' && /^[0-9a-f]{40}$/.test(f.gitSha1)), id, `file ${f.path} has no sha256`);
  }
  const listed = new Set(m.files!.map((f) => f.path));
  for (const v of m.variants!) {
    need(listed.has(v.graph), id, `variant ${v.dtype} names ${v.graph}, which is not in "files"`);
    for (const e of v.externalData ?? []) need(listed.has(e), id, `variant ${v.dtype} names external data ${e}, which is not in "files"`);
  }
  for (const required of ['config.json', 'tokenizer.json', 'tokenizer_config.json']) need(listed.has(required), id, `"files" lacks ${required}`);
  const dtypes = new Set(m.variants!.map((v) => v.dtype));
  for (const device of ['wasm', 'webgpu'] as const) {
    const d = m.defaultVariant?.[device];
    need(d !== undefined && dtypes.has(d), id, `"defaultVariant.${device}" ${d === undefined ? 'is missing' : `names ${d}, which is not among the variants`}`);
  }
  need(m.tokens && Array.isArray(m.tokens.eos) && m.tokens.eos.every(Number.isInteger), id, '"tokens.eos" is missing');
  need(Number.isInteger(m.tokens.pad), id, '"tokens.pad" is missing');
  need(m.valueHead && typeof m.valueHead.present === 'boolean', id, '"valueHead.present" is missing');
  need(!m.valueHead.present || typeof m.valueHead.output === 'string', id, '"valueHead.output" is missing');
  const s = m.sampling;
  need(s && typeof s === 'object', id, '"sampling" is missing');
  for (const key of ['temperature', 'topP', 'topK', 'maxNewTokens', 'samples'] as const) {
    need(typeof s[key] === 'number' && s[key] >= 0, id, `"sampling.${key}" must be a number >= 0`);
  }
  need(Array.isArray(m.stop) && m.stop.every((x) => typeof x === 'string'), id, '"stop" must be a list of strings');
  const sel = m.selection;
  need(sel === undefined || (STRATEGY_IDS as readonly string[]).includes(sel.strategy), id, `"selection.strategy" ${String(sel?.strategy)} is not a strategy the tutor knows`);
  const conf = sel?.confidence;
  need(conf === undefined || [conf.minAgreement, conf.minValue].every((x) => typeof x === 'number' && x >= 0 && x <= 1), id, '"selection.confidence" needs minAgreement and minValue between 0 and 1');
  need(conf?.minGrounded === undefined || (typeof conf.minGrounded === 'number' && conf.minGrounded >= 0 && conf.minGrounded <= 1), id, '"selection.confidence.minGrounded" is a share between 0 and 1');
  return m as Manifest;
}

export function variantFor(manifest: Manifest, dtype: Variant['dtype']): Variant {
  const v = manifest.variants.find((x) => x.dtype === dtype);
  if (!v) throw new ManifestError(`The model "${manifest.id}" has no ${dtype} variant (it has ${manifest.variants.map((x) => x.dtype).join(', ')}).`);
  return v;
}

/** The git blob id of a file's bytes: what the hub's tree API lists as `oid` for files kept in git. */
export async function gitBlobSha1(bytes: Uint8Array): Promise<string> {
  const head = new TextEncoder().encode(`blob ${bytes.length}\0`);
  const all = new Uint8Array(head.length + bytes.length);
  all.set(head);
  all.set(bytes, head.length);
  const digest = await crypto.subtle.digest('SHA-1', all);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Throws ChecksumError naming the file when its size or sha256 (or git blob id) differs from the manifest. */
export async function verifyFile(manifest: Manifest, path: string, bytes: ArrayBuffer | Uint8Array): Promise<void> {
  const entry = manifest.files.find((f) => f.path === path);
  if (!entry) throw new ManifestError(`The model "${manifest.id}" does not list a file ${path}.`);
  const size = bytes.byteLength;
  if (size !== entry.bytes) {
    throw new ChecksumError(`${path} of model "${manifest.id}" is ${size < entry.bytes ? 'incomplete' : 'too long'}: ${size} bytes instead of ${entry.bytes}.`, {
      hint: 'Delete the model in the model manager and download it again.',
      details: { file: path, expectedBytes: entry.bytes, actualBytes: size },
    });
  }
  const expected = entry.sha256 ?? entry.gitSha1;
  const digest = entry.sha256 !== undefined ? await sha256Hex(bytes) : await gitBlobSha1(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes));
  if (expected === undefined || digest !== expected) {
    throw new ChecksumError(`${path} of model "${manifest.id}" is damaged: its checksum does not match the manifest.`, {
      hint: 'Delete the model in the model manager and download it again.',
      details: { file: path, expected, actual: digest },
    });
  }
}
