/** Builds the production bundle once before the end-to-end tests. */
import { build } from 'vite';

export default async function setup(): Promise<void> {
  if (process.env.E2E_SKIP_BUILD === '1') return;
  // vitest sets NODE_ENV=test, and Vite keeps it: the bundle would be a development one
  // (import.meta.env.DEV true, so no service worker is registered). Build as production.
  const previous = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: 'vite.config.ts', logLevel: 'warn', mode: 'production' });
  } finally {
    process.env.NODE_ENV = previous;
  }
}
