/**
 * The console page's Content-Security-Policy, one definition for Electron (session
 * response headers) and browser mode (HTTP header). Scripts and styles only from the
 * app's own origin, no inline script, no eval, no plugins, no framing, and network
 * access only back to our own origin (the router).
 */
const production: Record<string, string> = {
  'default-src': "'none'",
  'script-src': "'self'",
  'style-src': "'self'",
  'img-src': "'self' data:",
  'font-src': "'self'",
  'connect-src': "'self'",
  'manifest-src': "'self'",
  'base-uri': "'none'",
  'form-action': "'none'",
  'frame-ancestors': "'none'",
  'object-src': "'none'",
};

/**
 * @param options.devServerOrigin electron-vite's dev server during `npm run dev`: Vite's
 *   HMR needs its websocket and injects inline styles. Never set in a packaged app.
 */
export function contentSecurityPolicy(options: { devServerOrigin?: string } = {}): string {
  const directives = { ...production };
  if (options.devServerOrigin) {
    const origin = new URL(options.devServerOrigin).origin;
    const socket = origin.replace(/^http/, 'ws');
    directives['script-src'] = `'self' ${origin}`;
    directives['style-src'] = `'self' 'unsafe-inline' ${origin}`;
    directives['connect-src'] = `'self' ${origin} ${socket}`;
  }
  return Object.entries(directives)
    .map(([name, value]) => `${name} ${value}`)
    .join('; ');
}

/** Headers every page response carries besides the CSP. */
export const pageSecurityHeaders: Readonly<Record<string, string>> = Object.freeze({
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), usb=(), serial=(), hid=()',
});
