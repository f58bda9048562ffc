/**
 * A minimal reader of a `text/event-stream` body (the Factory API's audit tail).
 * Hand-written: the WHATWG format is a few lines of parsing, and the browser's
 * EventSource is not available under Node; it handles exactly the fields our server
 * sends (`id`, `event`, `data`, comments) and the spec's line endings.
 */

export interface ServerSentEvent {
  id: string | null;
  event: string;
  data: string;
}

/** Longest event the reader buffers: a stream that never ends an event is cut off. */
const MAX_EVENT_CHARS = 1024 * 1024;

/** Yields each complete event of `body` until it ends or `signal` aborts. */
export async function* readServerSentEvents(
  body: ReadableStream<Uint8Array>,
  signal?: AbortSignal,
): AsyncGenerator<ServerSentEvent> {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let buffer = '';
  let id: string | null = null;
  let event = 'message';
  let data: string[] = [];
  try {
    while (!signal?.aborted) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      if (buffer.length > MAX_EVENT_CHARS) throw new Error('server-sent event too long');
      let newline = buffer.search(/\r\n|\r|\n/);
      while (newline >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
        if (line === '') {
          if (data.length > 0) yield { id, event, data: data.join('\n') };
          event = 'message';
          data = [];
        } else if (!line.startsWith(':')) {
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const raw = colon < 0 ? '' : line.slice(colon + 1);
          const text = raw.startsWith(' ') ? raw.slice(1) : raw;
          if (field === 'id') id = text;
          else if (field === 'event') event = text;
          else if (field === 'data') data.push(text);
        }
        newline = buffer.search(/\r\n|\r|\n/);
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
