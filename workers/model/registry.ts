/**
 * The list of model packages the tutor offers (`models/registry.json`): what the model
 * manager shows before anything is downloaded. A package's own manifest stays the
 * authority on files, sizes and checksums; the registry says where to find it.
 */
import { AppError, registerError } from '../common/errors.ts';
import type { SolutionFormatId } from '../solver/formats.ts';

export const REGISTRY_FORMAT_VERSION = 1;

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
  /** Served with the app (and publishable by `npm run prepare:models`). */
  bundled?: boolean;
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
    need(m.source!.endsWith('/') && (m.source!.startsWith('/') || m.source!.startsWith('https://')), `${at} "source" must be a path or https URL ending in "/"`);
    need(Number.isInteger(m.sizeBytes) && m.sizeBytes! > 0, `${at} lacks "sizeBytes"`);
    need(typeof m.valueHead === 'boolean', `${at} lacks "valueHead"`);
    const q = m.requires;
    need(q && Number.isInteger(q.memoryBytes) && Number.isInteger(q.maxBufferBytes) && typeof q.shaderF16 === 'boolean' && typeof q.webgpu === 'boolean', `${at} lacks "requires" (memoryBytes, maxBufferBytes, shaderF16, webgpu)`);
  }
  return r.models as RegistryEntry[];
}
