/** Small loopback servers for tests: the built app, and plain fixtures. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { preview, type PreviewServer } from 'vite';

export interface Running {
  origin: string;
  close: () => Promise<void>;
}

/** Serves `dist/` with the production headers on 127.0.0.1 and a free port. */
export async function serveBuild(): Promise<Running> {
  const server: PreviewServer = await preview({
    configFile: 'vite.config.ts',
    logLevel: 'warn',
    preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
  });
  const address = server.httpServer.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${address.port}`,
    close: () => new Promise((resolve) => server.httpServer.close(() => resolve())),
  };
}

/** A plain HTTP server on 127.0.0.1 answering with `handler`. */
export async function serveHandler(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Running & { server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
