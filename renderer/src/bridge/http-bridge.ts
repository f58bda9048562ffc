/**
 * The browser-mode implementation of ConsoleBridge: the same registry as the Electron
 * preload, over `fetch` to the loopback router: the one-time launch token is exchanged for an
 * HttpOnly session cookie on the first request, which the browser then sends (same origin).
 * Pushes arrive on one Server-Sent-Events stream read with fetch (POST, so the browser
 * sends Origin), shared by all listeners and reopened with back-off while any remain.
 */
import type { ConsoleBridge } from '../../../shared/common/contract/bridge.ts';
import { BrowserTransport, type PushedEvent } from '../../../shared/common/contract/browser-transport.ts';
import { buildBridge } from '../../../shared/common/contract/channels.ts';
import { fail, type Unsubscribe } from '../../../shared/common/contract/result.ts';

export interface HttpBridgeOptions {
  origin: string;
  /** The launch token from the URL, spent on the first request for the session cookie; absent after a reload. */
  token?: string;
  fetch?: typeof fetch;
}

export function createHttpBridge(options: HttpBridgeOptions): ConsoleBridge {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const headers = { 'content-type': 'application/json' };
  // Every request waits for the exchange: the token works once, the HttpOnly cookie afterwards.
  // A refused exchange (a reload or a second tab: already spent) leaves the cookie to decide.
  const session: Promise<unknown> =
    options.token === undefined
      ? Promise.resolve()
      : doFetch(`${options.origin}${BrowserTransport.sessionPath}`, {
          method: 'POST',
          headers: { [BrowserTransport.tokenHeader]: options.token },
          credentials: 'same-origin',
          cache: 'no-store',
        })
          .then((response) => response.body?.cancel())
          .catch(() => undefined);
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let stream: AbortController | null = null;

  async function invoke(channel: string, args: unknown[]): Promise<unknown> {
    try {
      await session;
      const response = await doFetch(`${options.origin}${BrowserTransport.callPath}${channel}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(args),
        credentials: 'same-origin',
        cache: 'no-store',
      });
      const body: unknown = await response.json();
      if (body && typeof body === 'object' && 'ok' in body) return body;
      return fail('internal', `The console answered HTTP ${response.status}.`);
    } catch {
      return fail('unavailable', 'The console is not reachable. Is `npm start` still running?');
    }
  }

  function deliver(event: PushedEvent): void {
    for (const listener of listeners.get(event.channel) ?? []) {
      try {
        listener(event.payload);
      } catch {
        // A failing view must not stop the others from hearing the event.
      }
    }
  }

  async function runStream(controller: AbortController): Promise<void> {
    let delayMs = 500;
    while (!controller.signal.aborted) {
      try {
        await session;
        const response = await doFetch(`${options.origin}${BrowserTransport.eventsPath}`, {
          method: 'POST',
          headers,
          signal: controller.signal,
          credentials: 'same-origin',
        });
        if (response.ok && response.body) {
          delayMs = 500;
          await readEvents(response.body, deliver);
        }
      } catch {
        // Reopened below after a pause, unless we were asked to stop.
      }
      if (controller.signal.aborted) return;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      delayMs = Math.min(delayMs * 2, 10_000);
    }
  }

  function subscribe(channel: string, listener: (payload: unknown) => void): Unsubscribe {
    let set = listeners.get(channel);
    if (!set) listeners.set(channel, (set = new Set()));
    set.add(listener);
    if (!stream) {
      stream = new AbortController();
      void runStream(stream);
    }
    return () => {
      set.delete(listener);
      if (set.size === 0) listeners.delete(channel);
      if (listeners.size === 0 && stream) {
        stream.abort();
        stream = null;
      }
    };
  }

  return buildBridge({ invoke, subscribe });
}

/** Parses a text/event-stream body, handing each `data:` event to `onEvent`. */
async function readEvents(
  body: ReadableStream<Uint8Array>,
  onEvent: (event: PushedEvent) => void,
): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let boundary = buffer.indexOf('\n\n');
    while (boundary >= 0) {
      const block = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      const data = block
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trimStart())
        .join('\n');
      if (data) {
        try {
          const event = JSON.parse(data) as PushedEvent;
          if (typeof event.channel === 'string') onEvent(event);
        } catch {
          // A malformed event is dropped; the stream goes on.
        }
      }
      boundary = buffer.indexOf('\n\n');
    }
  }
}
