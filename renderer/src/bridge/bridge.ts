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

const storageKey = 'factory-console.token';

function takeToken(): string | null {
  const fragment = new URLSearchParams(window.location.hash.replace(/^#/, ''));
  const fromUrl = fragment.get(BrowserTransport.tokenFragmentKey);
  if (fromUrl) {
    window.sessionStorage.setItem(storageKey, fromUrl);
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
    return fromUrl;
  }
  return window.sessionStorage.getItem(storageKey);
}

export type BridgeLookup =
  { bridge: ConsoleBridge; shell: 'electron' | 'browser' } | { bridge: null; problem: string };

export function findBridge(): BridgeLookup {
  if (window.bridge) return { bridge: window.bridge, shell: 'electron' };
  const token = takeToken();
  if (!token) {
    return {
      bridge: null,
      problem:
        'This page needs the address printed by `npm start` (it ends with #token=…). Open that address.',
    };
  }
  return { bridge: createHttpBridge({ origin: window.location.origin, token }), shell: 'browser' };
}
