/**
 * A tiny HTTP server on a free loopback port that answers fixed files by path (anything else is
 * 404), for pages a browser test loads from an origin of its own. Stopped with `close()`.
 */
import { createServer } from 'node:http';
import { freePort } from './ports.ts';

export interface StaticFile {
  readonly type: string;
  readonly body: string | Buffer;
}

export interface StaticServer {
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  /** Paths requested so far, in order (query strings included). */
  readonly requests: readonly string[];
  close(): Promise<void>;
}

export async function startStaticServer(files: Readonly<Record<string, StaticFile>>): Promise<StaticServer> {
  const port = await freePort();
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '/');
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const file = files[path];
    if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' }).end(req.method === 'HEAD' ? undefined : file.body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: origin, origin, port, requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
