/**
 * Wires the console's security policy into Electron (checklist items 5, 7, 13–15):
 * CSP on every response of our session, every permission request denied, navigation
 * and new windows limited by the pure policy in electron/core, and external links
 * handed to the OS only when allow-listed.
 */
import { shell, type BrowserWindow, type Session } from 'electron';
import {
  externalHostAllowList,
  isAllowedExternalUrl,
  navigationDecision,
  windowOpenDecision,
} from '../core/platform/navigation-policy.ts';

/**
 * Opens the identity provider's sign-in page in the system browser (single sign-on,
 * RFC 8252). The URL comes from the signed-in server's answer, not from page content,
 * so it is not held to the link allow-list; only http(s) is handed to the OS.
 */
export async function openSignInUrl(url: string): Promise<void> {
  const protocol = new URL(url).protocol;
  if (protocol !== 'https:' && protocol !== 'http:') throw new Error('Sign-in URL not allowed');
  await shell.openExternal(url, { activate: true });
}

/** Opens an https link in the system browser, only for allow-listed hosts. */
export async function openExternalSafely(url: string): Promise<void> {
  if (!isAllowedExternalUrl(url, externalHostAllowList)) throw new Error('Link not allowed');
  await shell.openExternal(url, { activate: true });
}

export function applySessionPolicy(session: Session, csp: string): void {
  session.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  session.setDisplayMediaRequestHandler((_request, callback) => callback({}));
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [csp],
        'X-Content-Type-Options': ['nosniff'],
      },
    });
  });
}

export function applyWindowPolicy(window: BrowserWindow, appOrigin: string): void {
  const contents = window.webContents;
  contents.on('will-navigate', (event) => {
    if (navigationDecision(event.url, appOrigin) === 'deny') event.preventDefault();
  });
  contents.on('will-frame-navigate', (event) => {
    if (navigationDecision(event.url, appOrigin) === 'deny') event.preventDefault();
  });
  contents.on('will-redirect', (event) => {
    if (navigationDecision(event.url, appOrigin) === 'deny') event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const decision = windowOpenDecision(url, externalHostAllowList);
    if (decision.openExternally) void openExternalSafely(url).catch(() => undefined);
    return { action: decision.action };
  });
}
