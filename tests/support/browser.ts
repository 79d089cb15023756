/**
 * Launches the test Chromium with the project's flags (Playwright gives each launch a
 * fresh profile), or fails with the install hint.
 */
import { chromium, type Browser } from 'playwright-core';
import { assertChromium, CHROMIUM_ARGS } from './chromium.ts';

export async function launchChromium(options: { webgpu?: boolean } = {}): Promise<Browser> {
  const executablePath = assertChromium();
  const args = CHROMIUM_ARGS.filter((arg) => options.webgpu !== false || arg !== '--enable-unsafe-webgpu');
  return chromium.launch({ executablePath, args, headless: true });
}
