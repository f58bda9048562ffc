/**
 * The browser-mode push channel: one Server-Sent-Events stream per open page, each
 * event `data: {"channel": "...", "payload": ...}`. Bounded in number; a heartbeat
 * keeps proxies and the browser from timing it out.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IpcRouter } from '../../ipc/router.ts';

const maxStreams = 8;
const heartbeatMs = 15_000;

export class EventStreams {
  readonly #router: IpcRouter;
  readonly #open = new Set<() => void>();

  constructor(router: IpcRouter) {
    this.#router = router;
  }

  open(request: IncomingMessage, response: ServerResponse, headers: Readonly<Record<string, string>>): void {
    if (this.#open.size >= maxStreams) {
      response.writeHead(429, { 'content-type': 'text/plain', 'retry-after': '5' });
      response.end('Too many event streams.');
      return;
    }
    response.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    response.write(': connected\n\n');
    const unsubscribe = this.#router.subscribe((channel, payload) => {
      response.write(`data: ${JSON.stringify({ channel, payload })}\n\n`);
    });
    const heartbeat = setInterval(() => response.write(': heartbeat\n\n'), heartbeatMs);
    heartbeat.unref();
    const close = (): void => {
      clearInterval(heartbeat);
      unsubscribe();
      this.#open.delete(close);
      response.end();
    };
    this.#open.add(close);
    request.on('close', close);
  }

  closeAll(): void {
    for (const close of [...this.#open]) close();
  }
}
