/**
 * What the console window may load, navigate to, or open (Electron security checklist
 * items 13–15: limit navigation, limit new windows, do not open untrusted content with
 * shell.openExternal). Pure functions, so they are tested under plain Node against
 * tricky URLs; electron/main wires them to `will-navigate`, `setWindowOpenHandler` and
 * `shell.openExternal`. Parsing is WHATWG URL's, the same as Chromium's, so a look-alike
 * that a human misreads is judged by what the browser would actually load.
 */

/** Links to these hosts (https only, default port) may open in the system browser. */
export const externalHostAllowList: readonly string[] = Object.freeze(['github.com', 'www.electronjs.org']);

function parse(url: string): URL | null {
  if (typeof url !== 'string' || url.length > 2048) return null;
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/**
 * True when `url` is on the app's own origin: same scheme, host and port, no
 * credentials. Compared field by field because custom schemes (`app://`) have an
 * opaque `origin` in WHATWG URL.
 */
export function isAppUrl(url: string, appOrigin: string): boolean {
  const target = parse(url);
  const app = parse(appOrigin);
  if (!target || !app) return false;
  if (target.username !== '' || target.password !== '') return false;
  return target.protocol === app.protocol && target.host === app.host && app.host !== '';
}

/** `will-navigate`: only within the app's own origin; anything else is prevented. */
export function navigationDecision(url: string, appOrigin: string): 'allow' | 'deny' {
  return isAppUrl(url, appOrigin) ? 'allow' : 'deny';
}

/** True for https links to an allow-listed host on the default port, without credentials. */
export function isAllowedExternalUrl(url: string, hosts: readonly string[] = externalHostAllowList): boolean {
  const target = parse(url);
  if (!target) return false;
  if (target.protocol !== 'https:' || target.port !== '') return false;
  if (target.username !== '' || target.password !== '') return false;
  return hosts.includes(target.hostname);
}

/**
 * `setWindowOpenHandler`: the console never opens a second window. An allow-listed
 * https link is handed to the system browser instead; everything else is dropped.
 */
export function windowOpenDecision(
  url: string,
  hosts: readonly string[] = externalHostAllowList,
): { action: 'deny'; openExternally: boolean } {
  return { action: 'deny', openExternally: isAllowedExternalUrl(url, hosts) };
}
