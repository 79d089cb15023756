/**
 * The list of model packages the tutor offers (`models/registry.json`): what the model
 * manager shows before anything is downloaded. A package's own manifest stays the
 * authority on files, sizes and checksums; the registry says where to find it.
 */
import { AppError, registerError } from '../common/errors.ts';
import { isSolutionFormatId, type SolutionFormatId } from '../formats.ts';

export const REGISTRY_FORMAT_VERSION = 1;

export type RegistryDtype = 'fp32' | 'fp16' | 'q8' | 'q4' | 'q4f16';
const DTYPES: readonly RegistryDtype[] = ['fp32', 'fp16', 'q8', 'q4', 'q4f16'];
/** A Hugging Face repository's download folder: https://<host>/<org>/<name>/resolve/<revision>/ */
const HUB_SOURCE = /^https:\/\/[^/]+\/[\w.-]+\/[\w.-]+\/resolve\/[\w.-]+\/$/;

export interface RegistryEntry {
  id: string;
  title: string;
  description?: string;
  /** Download size of the whole package in bytes (informative; the manifest lists exact sizes). */
  sizeBytes: number;
  license: string;
  /** Base URL of the package folder, ending in "/": a path on the app's origin or an https URL (its host must be in the CSP). */
  source: string;
  solutionFormat: SolutionFormatId;
  /** The package scores solutions with a value head (otherwise answers are chosen by vote). */
  valueHead: boolean;
  /** `sizeBytes` is computed from the architecture, not summed from published files. */
  sizeIsEstimate?: boolean;
  /**
   * How the files are laid out at `source`: "package" (default), a folder with the project's
   * manifest.json (models/FORMAT.md); "hub", a Hugging Face repository in transformers.js's layout
   * (`onnx/model_<dtype>.onnx` + `_data` shards), `source` = `https://<host>/<org>/<name>/resolve/<revision>/`.
   */
  layout?: 'package' | 'hub';
  /** The graph variants the entry offers (the device picks one; see load.ts chooseDevice). */
  variants?: RegistryDtype[];
  /** "deployer": `source` is where the deployer serves a package they converted themselves; nothing is published there by the project. */
  sourceSetBy?: 'deployer';
  /** Served with the app (and publishable by `npm run prepare:models`). */
  bundled?: boolean;
  /** One plain line for a student on what this model can and cannot do (the page shows it while the model is in use). */
  summary?: string;
  /** The least a device needs: one sample at the shortest context (see memory-plan.ts). */
  requires: { memoryBytes: number; maxBufferBytes: number; shaderF16: boolean; webgpu: boolean };
}

export class RegistryError extends AppError {
  override name = 'RegistryError';
}
registerError(RegistryError);

function need(cond: unknown, what: string): asserts cond {
  if (!cond) throw new RegistryError(`The model list is broken: ${what}.`, { hint: 'Reload the page; if it persists, the app was published incompletely.' });
}

export function parseRegistry(json: unknown): RegistryEntry[] {
  const r = json as { formatVersion?: unknown; models?: unknown };
  need(typeof r === 'object' && r !== null, 'it is not a JSON object');
  need(r.formatVersion === REGISTRY_FORMAT_VERSION, `format version ${String(r.formatVersion)} is not ${REGISTRY_FORMAT_VERSION}`);
  need(Array.isArray(r.models), '"models" is not a list');
  const seen = new Set<string>();
  for (const [i, m] of (r.models as Array<Partial<RegistryEntry>>).entries()) {
    const at = `entry ${i} (${typeof m?.id === 'string' ? m.id : 'no id'})`;
    need(typeof m?.id === 'string' && /^[\w.-]+$/.test(m.id), `${at} has no valid "id"`);
    need(!seen.has(m.id), `${at} repeats an id`);
    seen.add(m.id);
    for (const key of ['title', 'license', 'source', 'solutionFormat'] as const) need(typeof m[key] === 'string' && m[key].length > 0, `${at} lacks "${key}"`);
    need(isSolutionFormatId(m.solutionFormat), `${at} "solutionFormat" ${JSON.stringify(m.solutionFormat)} is not one the tutor knows`);
    need(m.source!.endsWith('/') && (m.source!.startsWith('/') || m.source!.startsWith('https://')), `${at} "source" must be a path or https URL ending in "/"`);
    need(Number.isInteger(m.sizeBytes) && m.sizeBytes! > 0, `${at} lacks "sizeBytes"`);
    need(typeof m.valueHead === 'boolean', `${at} lacks "valueHead"`);
    const q = m.requires;
    need(q && Number.isInteger(q.memoryBytes) && Number.isInteger(q.maxBufferBytes) && typeof q.shaderF16 === 'boolean' && typeof q.webgpu === 'boolean', `${at} lacks "requires" (memoryBytes, maxBufferBytes, shaderF16, webgpu)`);
    need(m.sizeIsEstimate === undefined || typeof m.sizeIsEstimate === 'boolean', `${at} "sizeIsEstimate" must be true or false`);
    need(m.layout === undefined || m.layout === 'package' || m.layout === 'hub', `${at} "layout" ${JSON.stringify(m.layout)} is neither "package" nor "hub"`);
    if (m.layout === 'hub') need(HUB_SOURCE.test(m.source!), `${at} has the hub layout, so "source" must be https://<host>/<org>/<name>/resolve/<revision>/`);
    if (m.variants !== undefined) {
      need(Array.isArray(m.variants) && m.variants.length > 0 && m.variants.every((v) => DTYPES.includes(v)), `${at} "variants" must list some of ${DTYPES.join(', ')}`);
      need(new Set(m.variants).size === m.variants.length, `${at} "variants" repeats a variant`);
      // A device without 16-bit float shaders needs a variant it can run, unless the entry says it requires them.
      need(q.shaderF16 || m.variants.some((v) => v !== 'fp16' && v !== 'q4f16'), `${at} offers only 16-bit float variants but "requires.shaderF16" is false`);
    }
    need(m.summary === undefined || (typeof m.summary === 'string' && m.summary.length > 0), `${at} "summary" must be a non-empty string when present`);
    need(m.sourceSetBy === undefined || m.sourceSetBy === 'deployer', `${at} "sourceSetBy" must be "deployer" when present`);
    if (m.sourceSetBy === 'deployer') need(m.source!.startsWith('/'), `${at} is served by the deployer, so "source" must be a path on the app's origin (a mirror's https URL is a normal entry)`);
  }
  return r.models as RegistryEntry[];
}

/**
 * The origins the registry downloads from besides the app's own (for the CSP's connect-src:
 * the deployer lists exactly these in MODEL_HOSTS, vite.config.ts). Redirect targets (the hub's
 * CDN) must be listed as well; see workers/model/README.md.
 */
export function registryHosts(entries: readonly RegistryEntry[]): string[] {
  return [...new Set(entries.filter((e) => e.source.startsWith('https://')).map((e) => new URL(e.source).origin))].sort();
}

/**
 * Where a model host redirects its large files, so the CSP must allow those origins too: for the
 * Hugging Face hub, every domain of "lfsDomains" and "cdnDomains" in https://huggingface.co/.well-known/meta.json
 * (the hub's published list: LFS CDNs, Xet transfer hosts and the regional CDN its `resolve`
 * URLs answer with a 302 to, e.g. us.aws.cdn.hf.co). Listed one by one, no wildcard, so the policy
 * stays exact; read that file again when downloads from the hub are refused by the CSP.
 */
export const REDIRECT_HOSTS: Readonly<Record<string, readonly string[]>> = {
  'https://huggingface.co': [
    // lfsDomains
    'cdn-lfs.hf.co', 'cdn-lfs-us-1.hf.co', 'cdn-lfs-eu-1.hf.co', 'transfer.xethub.hf.co', 'transfer.xethub-eu.hf.co',
    // cdnDomains
    'aws.cdn.hf.co', 'us.aws.cdn.hf.co', 'us-east-1.aws.cdn.hf.co', 'us-west-2.aws.cdn.hf.co', 'eu-west-3.aws.cdn.hf.co', 'ap-southeast-1.aws.cdn.hf.co',
    'us.gcp.cdn.hf.co', 'us-east1.us.gcp.cdn.hf.co', 'us-central1.us.gcp.cdn.hf.co', 'us-west4.us.gcp.cdn.hf.co', 'europe-west4.us.gcp.cdn.hf.co', 'asia-southeast1.us.gcp.cdn.hf.co',
    // The Xet bridge: `resolve` URLs of files stored with Xet (the onnx-community Qwen2.5 graphs) answer with a 302 to a
    // signed URL here, which meta.json does not list (a page's CSP refused it: mlc-ai/web-llm pull request #769).
    'cas-bridge.xethub.hf.co',
  ].map((host) => `https://${host}`),
};

/** Every origin the app must be allowed to connect to for the registry's models: hosts and their redirect targets. */
export function modelHosts(entries: readonly RegistryEntry[]): string[] {
  const hosts = registryHosts(entries);
  return [...new Set([...hosts, ...hosts.flatMap((h) => REDIRECT_HOSTS[h] ?? [])])].sort();
}
