/**
 * Global setup of the browser tests: converts the tiny random checkpoints into
 * tests/fixtures/converted/ when they are missing or older than the converter (a few seconds,
 * tests/fixtures/make_converted.py), and starts the loopback imitation of the Hugging Face hub
 * (tests/support/hub-server.ts) that serves the hub-layout package; tests read its address with
 * `inject('hubOrigin')`.
 */
import type { TestProject } from 'vitest/node';
import { ensureConvertedFixtures, HUB_REPO, HUB_PACKAGE } from './converted-fixtures.ts';
import { startHubServer } from './hub-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    hubOrigin: string;
    /** Why the converted packages are missing (no Python with torch), or '' when they are there. */
    convertedMissing: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const missing = ensureConvertedFixtures();
  project.provide('convertedMissing', missing);
  const hub = await startHubServer(missing ? {} : { [HUB_REPO]: HUB_PACKAGE });
  project.provide('hubOrigin', hub.origin);
  return () => hub.close();
}
