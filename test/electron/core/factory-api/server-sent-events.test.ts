import { describe, expect, it } from 'vitest';
import { readServerSentEvents } from '../../../../electron/core/factory-api/server-sent-events.ts';
import { readCounter } from '../../../../electron/core/domains/firewall/prometheus-text.ts';

/** A body delivered in the given chunks (to split lines and events across reads). */
function body(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

async function collect(chunks: string[]) {
  const events = [];
  for await (const event of readServerSentEvents(body(chunks))) events.push(event);
  return events;
}

describe('readServerSentEvents', () => {
  it('reads events split across chunks, skips comments, joins data lines', async () => {
    const events = await collect([
      ': connected\n\nid: 7\nev',
      'ent: entry\ndata: {"seq":7}\n\n: ping\n\n',
      'data: a\r\ndata: b\r\n\r\nid: 9\nevent: entry\ndata:{"seq":9}\n\n',
    ]);
    expect(events).toEqual([
      { id: '7', event: 'entry', data: '{"seq":7}' },
      { id: '7', event: 'message', data: 'a\nb' },
      { id: '9', event: 'entry', data: '{"seq":9}' },
    ]);
  });

  it('drops an unfinished event at the end of the stream', async () => {
    expect(await collect(['event: entry\ndata: {"seq":1}\n'])).toEqual([]);
  });

  it('refuses an event that never ends', async () => {
    await expect(collect([`data: ${'x'.repeat(1024 * 1024 + 10)}`])).rejects.toThrow(/too long/);
  });
});

describe('readCounter', () => {
  const text = [
    '# HELP factory_http_unauthorized_total Responses with status 401.',
    '# TYPE factory_http_unauthorized_total counter',
    'factory_http_unauthorized_total 5',
    'factory_http_unauthorized_total_extra 99',
    'factory_http_requests_total{method="GET",status="200"} 12',
    'factory_http_requests_total{method="POST",status="401"} 3',
  ].join('\n');

  it('reads an unlabelled counter, sums labelled ones, ignores look-alike names', () => {
    expect(readCounter(text, 'factory_http_unauthorized_total')).toBe(5);
    expect(readCounter(text, 'factory_http_requests_total')).toBe(15);
    expect(readCounter(text, 'factory_http_rate_limited_total')).toBe(0);
  });
});
