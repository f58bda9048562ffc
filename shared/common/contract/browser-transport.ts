/**
 * The wire of browser mode, shared by the loopback server (electron/core/shells/browser) and
 * the page's HTTP bridge (renderer/src/bridge), so the two cannot disagree.
 */
export const BrowserTransport = {
  /**
   * The header that carries the per-launch token (never a query string: those get logged).
   * The token is one-time: the page's first request (`POST <sessionPath>`) exchanges it for
   * the session cookie, and it opens nothing afterwards.
   */
  tokenHeader: 'x-console-token',
  /** `POST` here with the launch token: answers with the HttpOnly, SameSite=Strict session cookie. */
  sessionPath: '/api/session',
  /** The session cookie's name is this plus the port (cookies are per host, not per port). */
  cookiePrefix: 'console_session_',
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
