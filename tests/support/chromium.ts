/**
 * Where the test browser is and how to start it. Debian's `chromium` by default;
 * CHROME_PATH points at any other Chromium (e.g. one Playwright installed).
 */
import { existsSync } from 'node:fs';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

export function chromiumPath(): string {
  return process.env.CHROME_PATH || DEFAULT_CHROMIUM;
}

export const INSTALL_HINT =
  'Install it with: sudo apt-get install -y chromium   (Debian/Ubuntu), ' +
  'or point CHROME_PATH at a Chromium/Chrome binary, e.g. CHROME_PATH=$(node -e "console.log(require(\'playwright-core\').chromium.executablePath())") after `npx playwright install chromium`.';

/** Throws a one-line message with the install hint when the browser is missing. */
export function assertChromium(): string {
  const path = chromiumPath();
  if (!existsSync(path)) {
    throw new Error(`Chromium not found at ${path}. ${INSTALL_HINT}`);
  }
  return path;
}

/** Flags that keep headless Chromium quiet on a machine without internet and enable WebGPU. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--disable-default-apps',
  '--enable-unsafe-webgpu',
];
