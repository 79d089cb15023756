/** Main-thread access to the capability probe worker. */
import { WorkerBridge } from '../common/bridge.ts';
import type { Capabilities, ProbeApi } from '../contracts.ts';

export async function probeWorkerCapabilities(signal?: AbortSignal): Promise<Capabilities> {
  const bridge = new WorkerBridge<ProbeApi>(
    () => new Worker(new URL('./probe.worker.ts', import.meta.url), { type: 'module', name: 'probe' }),
    { name: 'capability probe' },
  );
  try {
    return await bridge.call((api) => api.capabilities(), signal);
  } finally {
    bridge.terminate();
  }
}
