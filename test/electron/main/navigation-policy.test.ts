import { describe, expect, it } from 'vitest';
import {
  isAllowedExternalUrl,
  navigationDecision,
  windowOpenDecision,
} from '../../../electron/core/platform/navigation-policy.ts';

const appOrigin = 'app://console';
const hosts = ['github.com', 'www.electronjs.org'];

// URLs a page could try to navigate to or open. None may load inside the console.
const hostile = [
  'https://github.com.evil.example/',
  'https://evil.example/github.com',
  'https://github.com@evil.example/',
  'https://evil.example\\@github.com/',
  'javascript:alert(1)',
  'JAVASCRIPT:alert(document.domain)',
  ' javascript:alert(1)',
  'java\tscript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
  'file:///etc/passwd',
  'file://localhost/C:/Windows/win.ini',
  'vbscript:msgbox(1)',
  'blob:app://console/1234',
  'app://console.evil/index.html',
  'app://evil/index.html',
  'app://user:pass@console/index.html',
  'http://console/',
  'about:blank',
  'chrome://settings',
  'devtools://devtools/bundled/inspector.html',
  'ftp://github.com/',
  'http://github.com/',
  'https://xn--gthub-n4a.com/',
  'https://github.com:8443/',
  'https://github.com./',
  'ms-msdt:/id PCWDiagnostic',
  'smb://attacker/share',
  '//evil.example/',
  '',
  'not a url',
];

describe('navigation policy (will-navigate)', () => {
  it('allows the app origin only', () => {
    for (const url of ['app://console/index.html', 'app://console/', 'app://console/assets/x.js?v=1#top']) {
      expect(navigationDecision(url, appOrigin), url).toBe('allow');
    }
    expect(navigationDecision('http://localhost:5173/', 'http://localhost:5173')).toBe('allow');
    expect(navigationDecision('http://localhost:5174/', 'http://localhost:5173')).toBe('deny');
    expect(navigationDecision('http://127.0.0.1:5173/', 'http://localhost:5173')).toBe('deny');
  });

  it.each(hostile)('denies %j', (url) => {
    expect(navigationDecision(url, appOrigin)).toBe('deny');
  });

  it('denies even external allow-listed sites inside the window', () => {
    expect(navigationDecision('https://github.com/', appOrigin)).toBe('deny');
  });
});

describe('window-open policy and openExternal', () => {
  it('never opens a window; opens allow-listed https links externally', () => {
    expect(windowOpenDecision('https://github.com/electron/electron', hosts)).toEqual({
      action: 'deny',
      openExternally: true,
    });
    expect(
      windowOpenDecision('https://www.electronjs.org/docs/latest/tutorial/security', hosts).openExternally,
    ).toBe(true);
    expect(windowOpenDecision('app://console/index.html', hosts)).toEqual({
      action: 'deny',
      openExternally: false,
    });
  });

  it.each(hostile)('does not hand %j to the OS', (url) => {
    expect(windowOpenDecision(url, hosts)).toEqual({ action: 'deny', openExternally: false });
    expect(isAllowedExternalUrl(url, hosts)).toBe(false);
  });

  it('refuses over-long URLs', () => {
    expect(isAllowedExternalUrl(`https://github.com/${'a'.repeat(3000)}`, hosts)).toBe(false);
  });
});
