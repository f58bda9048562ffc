/**
 * The wire of browser mode, shared by the loopback server (electron/core/shells/browser) and
 * the page's HTTP bridge (renderer/src/bridge), so the two cannot disagree.
 */
export const BrowserTransport = {
  /** The header that carries the per-launch token (never a query string: those get logged). */
  tokenHeader: 'x-console-token',
  /** `POST <callPath><channel>` with the JSON argument list; answers a Result. */
  callPath: '/api/call/',
  /** `POST` here opens the Server-Sent-Events stream of pushes. */
  eventsPath: '/api/events',
  /** The URL fragment key (`#token=…`): fragments never leave the browser. */
  tokenFragmentKey: 'token',
} as const;

/** One pushed event on the stream: `data: {"channel": "...", "payload": ...}`. */
export interface PushedEvent {
  channel: string;
  payload: unknown;
}
