/** Files in the page origin's private file system (OPFS), as paths, for tests of the model store. */
import type { Page } from 'playwright-core';

export function opfsFiles(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    type Dir = { entries(): AsyncIterable<[string, { kind: 'file' | 'directory' }]> };
    const out: string[] = [];
    const walk = async (dir: Dir, prefix: string) => {
      for await (const [name, handle] of dir.entries()) {
        if (handle.kind === 'directory') await walk(handle as unknown as Dir, `${prefix}${name}/`);
        else out.push(`${prefix}${name}`);
      }
    };
    await walk((await navigator.storage.getDirectory()) as unknown as Dir, '/');
    return out;
  });
}
