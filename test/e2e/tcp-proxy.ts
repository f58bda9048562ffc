/**
 * A loopback TCP proxy that misbehaves on purpose: it forwards bytes (TLS passes
 * through untouched, so certificate pinning still applies end to end) and can cut a
 * connection after it forwarded a number of server→client bytes, or refuse new ones.
 */
import net from 'node:net';

export interface ProxyControl {
  url: string;
  port: number;
  /** Cut the next connection whose server→client traffic exceeds this many bytes (once). */
  cutOnceAfter(bytes: number): void;
  /** When set, every new connection is reset at once (the server looks down). */
  refuse: boolean;
  /** After a cut, refuse every later connection too (the server went down mid-download). */
  refuseAfterCut: boolean;
  cuts: number;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, protocol = 'https'): Promise<ProxyControl> {
  let cutAfter: number | undefined;
  const sockets = new Set<net.Socket>();
  const control: ProxyControl = {
    url: '',
    port: 0,
    refuse: false,
    refuseAfterCut: false,
    cuts: 0,
    cutOnceAfter(bytes) {
      cutAfter = bytes;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    if (control.refuse) {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect({ host: '127.0.0.1', port: targetPort });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    let forwarded = 0;
    upstream.on('data', (data: Buffer) => {
      forwarded += data.length;
      if (cutAfter !== undefined && forwarded > cutAfter) {
        cutAfter = undefined;
        control.cuts += 1;
        if (control.refuseAfterCut) control.refuse = true;
        client.resetAndDestroy();
        upstream.destroy();
        return;
      }
      client.write(data);
    });
    client.on('data', (data: Buffer) => upstream.write(data));
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  control.port = address.port;
  control.url = `${protocol}://127.0.0.1:${address.port}`;
  return control;
}
