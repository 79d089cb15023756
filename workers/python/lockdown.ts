/**
 * Takes the network, the origin's storage and the message channel away from this
 * worker's global scope before any solution code runs. Defence in depth: the
 * primary barrier is the worker script's own Content-Security-Policy
 * (`connect-src 'none'`, see web/security/headers.ts), which the browser enforces
 * whatever references Pyodide keeps. This removes what CSP does not cover: storage
 * (IndexedDB, Cache Storage, OPFS), spawning fresh workers, closing the worker
 * silently, and posting messages on the worker's own channel (the app listens on a
 * private MessagePort instead).
 */

const GLOBAL_NAMES = [
  'fetch', 'XMLHttpRequest', 'WebSocket', 'WebSocketStream', 'EventSource', 'WebTransport', 'importScripts',
  'postMessage', 'close', 'indexedDB', 'IDBFactory', 'caches', 'CacheStorage', 'BroadcastChannel', 'Worker',
  'SharedWorker', 'FileSystemDirectoryHandle', 'FileSystemFileHandle', 'FileSystemSyncAccessHandle',
];
const NAVIGATOR_NAMES = ['storage', 'locks', 'serviceWorker', 'sendBeacon', 'connection', 'gpu'];

function scrub(target: object | null, names: readonly string[]): string[] {
  const removed: string[] = [];
  for (let o: object | null = target; o; o = Object.getPrototypeOf(o)) {
    for (const name of names) {
      if (!Object.prototype.hasOwnProperty.call(o, name)) continue;
      try {
        Object.defineProperty(o, name, { value: undefined, writable: false, configurable: false, enumerable: false });
        removed.push(name);
      } catch {
        try {
          delete (o as Record<string, unknown>)[name];
          removed.push(name);
        } catch {
          /* not configurable: left to the CSP */
        }
      }
    }
  }
  return removed;
}

/** Returns the names removed (for diagnostics). */
export function lockDownWorkerScope(): string[] {
  const removed = scrub(globalThis, GLOBAL_NAMES);
  const nav = (globalThis as { navigator?: object }).navigator;
  if (nav) removed.push(...scrub(nav, NAVIGATOR_NAMES).map((n) => `navigator.${n}`));
  return removed;
}
