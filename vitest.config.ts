import { defineConfig, mergeConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import { fileURLToPath } from 'node:url';
import viteConfig from './vite.config.ts';
import { isolationHeaders } from './web/security/headers.ts';
import { CHROMIUM_ARGS, chromiumPath } from './tests/support/chromium.ts';
import { probeCounter } from './tests/support/probe-counter.ts';
import { namedHostArgs } from './tests/support/named-hosts.ts';
import { browserMemory } from './tests/support/browser-memory.ts';

const projectRoot = fileURLToPath(new URL('.', import.meta.url));

// The app's CSP is checked against the dev and production servers (tests/e2e); the
// in-browser runner gets only the isolation headers, since its harness uses inline scripts.
// The service worker plugin is for production builds only (the e2e tests build with vite.config.ts itself).
const plugins = (viteConfig.plugins ?? []).flat().filter((p) => !(p && typeof p === 'object' && 'name' in p && String(p.name).startsWith('vite-plugin-pwa')));
const base = { ...viteConfig, plugins, server: { ...viteConfig.server, headers: isolationHeaders() } };

export default mergeConfig(
  base,
  defineConfig({
    test: {
      reporters: ['default', './tests/support/summary-reporter.ts'],
      projects: [
        {
          extends: true,
          test: {
            name: 'unit',
            root: projectRoot,
            include: ['tests/unit/**/*.test.ts', 'tests/models/**/*.test.ts'],
            environment: 'node',
            testTimeout: 60_000,
          },
        },
        {
          extends: true,
          plugins: [probeCounter()],
          test: {
            name: 'browser',
            root: projectRoot,
            include: ['tests/browser/**/*.test.ts'],
            // Converted tiny checkpoints (made when stale) and the loopback imitation of the Hugging Face hub.
            globalSetup: ['tests/support/converted-models.setup.ts', 'tests/support/named-hosts.setup.ts'],
            testTimeout: 120_000,
            hookTimeout: 120_000,
            fileParallelism: false,
            browser: {
              enabled: true,
              headless: true,
              screenshotFailures: false,
              provider: playwright({
                launchOptions: { executablePath: chromiumPath(), args: [...CHROMIUM_ARGS, ...namedHostArgs()] },
              }),
              instances: [{ browser: 'chromium' }],
              commands: { browserMemory },
            },
          },
        },
        {
          extends: true,
          test: {
            name: 'e2e',
            root: projectRoot,
            include: ['tests/e2e/**/*.test.ts'],
            environment: 'node',
            globalSetup: ['tests/e2e/build.setup.ts'],
            testTimeout: 180_000,
            hookTimeout: 300_000,
            fileParallelism: false,
          },
        },
      ],
    },
  }),
);
