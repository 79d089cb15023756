/**
 * The model manager's side of the model store: which packages the browser keeps and
 * how big they are, downloading the files this device needs (resumable, verified,
 * quota-checked, persistent storage asked for), and deleting them. Runs in a worker.
 */
import type { Capabilities, JobId, ProgressEvent, StoredModel } from '../contracts.ts';
import { chooseDevice } from './load.ts';
import { parseManifest, variantFor, type Manifest } from './manifest.ts';
import { hubPackage, hubRepoOf } from './hub.ts';
import { DownloadError, downloadPackage, isStored, type FileStore } from './download.ts';

export class PackageManager {
  private readonly jobs = new Map<JobId, AbortController>();

  constructor(
    private readonly store: FileStore,
    private readonly gpu: () => Promise<Capabilities['webgpu']>,
  ) {}

  async list(): Promise<StoredModel[]> {
    const out: StoredModel[] = [];
    for (const { pkg, bytes } of await this.store.list()) out.push({ id: pkg, bytes, complete: await isStored(this.store, pkg) });
    return out;
  }

  /**
   * Download what this device needs of the package at `source` (a folder URL ending in "/"):
   * configs, tokenizer and the graph variant (with its external data) the device will run.
   * Cancelling keeps the bytes received, so a later call resumes where this one stopped.
   */
  async download(source: string, jobId: JobId, onEvent: (event: ProgressEvent) => void): Promise<StoredModel> {
    const controller = new AbortController();
    this.jobs.set(jobId, controller);
    try {
      onEvent({ type: 'progress', stage: 'Reading the model package' });
      const { manifest, folder } = hubRepoOf(source) ? await hubPackage(source, this.store) : { manifest: await this.packageManifest(source, controller.signal), folder: source };
      const choice = chooseDevice(manifest, await this.gpu());
      const variant = variantFor(manifest, choice.dtype);
      const graphFiles = new Set([variant.graph, ...variant.externalData]);
      const paths = manifest.files.map((f) => f.path).filter((p) => !p.startsWith('onnx/') || graphFiles.has(p));
      await downloadPackage(folder, manifest, paths, this.store, {
        onEvent,
        signal: controller.signal,
        estimate: () => navigator.storage.estimate(),
        // Workers cannot ask for persistent storage; the page does before it calls this (see ModelManager.svelte).
        ...(typeof navigator.storage.persist === 'function' ? { persist: () => navigator.storage.persist() } : {}),
      });
      const bytes = (await this.store.list()).find((p) => p.pkg === manifest.id)?.bytes ?? 0;
      return { id: manifest.id, bytes, complete: true };
    } finally {
      this.jobs.delete(jobId);
    }
  }

  private async packageManifest(source: string, signal: AbortSignal): Promise<Manifest> {
    const response = await fetch(`${source}manifest.json`, { signal }).catch((error: unknown) => {
      if (signal.aborted) throw error;
      throw new DownloadError(`Could not reach ${new URL(source, location.href).host} to download the model.`, {
        hint: 'You may be offline, or this site is not set up to download models from there (its Content-Security-Policy lists the allowed hosts).',
      });
    });
    if (!response.ok) throw new DownloadError(`The model package at ${source} could not be read (the server answered ${response.status}).`, { hint: 'Check the connection, or ask whoever hosts this app whether the model is published.' });
    return parseManifest(await response.json());
  }

  /** Stop a download; what arrived is kept for resuming. */
  cancel(jobId: JobId): boolean {
    const job = this.jobs.get(jobId);
    job?.abort();
    return job !== undefined;
  }

  remove(id: string): Promise<void> {
    return this.store.remove(id);
  }
}
