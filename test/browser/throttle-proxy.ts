/**
 * A loopback TCP proxy that slows the server → client direction to a fixed rate, so a
 * few-MiB download from a local server lasts long enough for a UI to show its progress
 * more than once. Test-only; bytes are forwarded unchanged.
 */
import { createConnection, createServer, type Socket } from 'node:net';

export interface ThrottleProxy {
  /** `http://127.0.0.1:PORT`, forwarding to the target. */
  url: string;
  close(): Promise<void>;
}

/** Forwards 127.0.0.1:free-port to `target` (an http://127.0.0.1:PORT URL), downstream at `bytesPerSecond`. */
export async function startThrottleProxy(target: string, bytesPerSecond: number): Promise<ThrottleProxy> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection({ host: hostname, port: Number(port) });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      client.write(chunk);
      // Hold the next chunk back for as long as this one takes at the chosen rate.
      upstream.pause();
      setTimeout(() => upstream.resume(), Math.ceil((chunk.length / bytesPerSecond) * 1000));
    });
    upstream.once('end', () => client.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
