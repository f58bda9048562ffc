import { describe, expect, it } from 'vitest';
import { buildWindowOptions } from '../../../electron/main/window-options.ts';
import { contentSecurityPolicy } from '../../../electron/core/platform/content-security-policy.ts';

describe('console window options', () => {
  const options = buildWindowOptions({ preloadPath: '/app/out/preload/index.cjs' });
  const web = options.webPreferences ?? {};

  it('isolates the page from Node and Electron', () => {
    expect(web.contextIsolation).toBe(true);
    expect(web.sandbox).toBe(true);
    expect(web.nodeIntegration).toBe(false);
    expect(web.nodeIntegrationInWorker).toBe(false);
    expect(web.nodeIntegrationInSubFrames).toBe(false);
  });

  it('keeps web security on and risky features off', () => {
    expect(web.webSecurity).toBe(true);
    expect(web.allowRunningInsecureContent).toBe(false);
    expect(web.experimentalFeatures).toBe(false);
    expect(web.webviewTag).toBe(false);
    expect(web.navigateOnDragDrop).toBe(false);
    expect(web.devTools).toBe(false);
    expect(web).not.toHaveProperty('enableBlinkFeatures');
    expect(web).not.toHaveProperty('additionalArguments');
  });

  it('loads only our CommonJS preload', () => {
    expect(web.preload).toBe('/app/out/preload/index.cjs');
    expect(buildWindowOptions({ preloadPath: '/p.cjs', devTools: true }).webPreferences?.devTools).toBe(true);
  });

  it('ships a strict CSP: no inline script, no eval, no foreign hosts, no framing', () => {
    const csp = contentSecurityPolicy();
    const directives = Object.fromEntries(
      csp.split(';').map((part) => {
        const [name, ...values] = part.trim().split(/\s+/);
        return [name, values.join(' ')];
      }),
    );
    expect(directives['default-src']).toBe("'none'");
    expect(directives['script-src']).toBe("'self'");
    expect(directives['connect-src']).toBe("'self'");
    expect(directives['frame-ancestors']).toBe("'none'");
    expect(directives['object-src']).toBe("'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*|http:|https:/);
    const dev = contentSecurityPolicy({ devServerOrigin: 'http://localhost:5173' });
    expect(dev).toContain('ws://localhost:5173');
    expect(dev).not.toContain('unsafe-eval');
  });
});
