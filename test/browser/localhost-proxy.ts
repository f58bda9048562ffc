/**
 * Test-only: serves browser mode's loopback console under `http://localhost:PORT`, the
 * host name a passkey needs (a WebAuthn relying-party id is a host name, never an IP
 * address, and browser mode answers only to `127.0.0.1:port`). Each request is forwarded
 * with Host and Origin said as the console expects them; bodies and answers (the event
 * stream included) pass through unchanged.
 */
import { createServer, request as forward, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalhostProxy {
  /** `http://localhost:PORT`. */
  origin: string;
  close(): Promise<void>;
}

/** `target()` is read per request: the console's address may be known only after the proxy's. */
export async function startLocalhostProxy(target: () => string): Promise<LocalhostProxy> {
  let origin = '';
  const server: Server = createServer((incoming, outgoing) => {
    const upstream = new URL(target());
    const headers = { ...incoming.headers, host: upstream.host };
    if (headers.origin === origin) headers.origin = upstream.origin;
    if (typeof headers.referer === 'string' && headers.referer.startsWith(origin))
      headers.referer = upstream.origin + headers.referer.slice(origin.length);
    const proxied = forward(
      { host: upstream.hostname, port: upstream.port, path: incoming.url, method: incoming.method, headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    proxied.on('error', () => outgoing.destroy());
    incoming.pipe(proxied);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://localhost:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
