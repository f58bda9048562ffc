/**
 * Finds the bridge for this page: Electron's preload exposes `window.bridge`; in
 * browser mode the page builds the HTTP bridge from the token in its URL fragment.
 * The token moves to sessionStorage (same tab, same origin only) and the fragment is
 * wiped from the address bar so it does not linger in history or screenshots.
 */
import type { ConsoleBridge } from '../../../shared/common/contract/bridge.ts';
import { BrowserTransport } from '../../../shared/common/contract/browser-transport.ts';
import { createHttpBridge } from './http-bridge.ts';

declare global {
  interface Window {
    bridge?: ConsoleBridge;
  }
}

/** A flag only (never the token): this tab has opened the console, so its cookie may hold. */
const storageKey = 'factory-console.opened';

/** The launch token from the fragment (removed from the address), or undefined after a reload; null: never opened. */
function takeToken(): string | undefined | null {
  const fragment = new URLSearchParams(window.location.hash.replace(/^#/, ''));
  const fromUrl = fragment.get(BrowserTransport.tokenFragmentKey);
  if (fromUrl) {
    window.sessionStorage.setItem(storageKey, '1');
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
    return fromUrl;
  }
  return window.sessionStorage.getItem(storageKey) === '1' ? undefined : null;
}

export type BridgeLookup =
  { bridge: ConsoleBridge; shell: 'electron' | 'browser' } | { bridge: null; problem: string };

export function findBridge(): BridgeLookup {
  if (window.bridge) return { bridge: window.bridge, shell: 'electron' };
  const token = takeToken();
  if (token === null) {
    return {
      bridge: null,
      problem:
        'This page needs the address printed by `npm start` (it ends with #token=…). Open that address.',
    };
  }
  return {
    bridge: createHttpBridge({ origin: window.location.origin, ...(token === undefined ? {} : { token }) }),
    shell: 'browser',
  };
}
