/**
 * Serves the built renderer (Vite's `dist`) read-only. Paths are resolved inside the
 * root and checked to stay there; only regular files are served.
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Maps a URL path to a file under `root`, or null when it is outside, hidden or absent. */
export async function resolveStaticFile(root: string, pathname: string): Promise<string | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const relative = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
  if (relative.split('/').some((segment) => segment === '..' || segment.startsWith('.'))) return null;
  const base = await realpath(root).catch(() => null);
  if (!base) return null;
  const candidate = resolve(join(base, relative));
  const real = await realpath(candidate).catch(() => null);
  if (!real || !(real === base || real.startsWith(base + sep))) return null;
  const info = await stat(real).catch(() => null);
  return info?.isFile() ? real : null;
}

/** Streams a resolved file with its content type; `headers` carries the security headers. */
export function sendFile(
  response: ServerResponse,
  file: string,
  headers: Record<string, string>,
  headOnly: boolean,
): void {
  const type = contentTypes[extname(file).toLowerCase()] ?? 'application/octet-stream';
  // Hashed assets may be cached; the page itself never (it is the entry to a fresh token).
  const cache = file.endsWith('.html') ? 'no-store' : 'public, max-age=31536000, immutable';
  response.writeHead(200, { ...headers, 'content-type': type, 'cache-control': cache });
  if (headOnly) {
    response.end();
    return;
  }
  createReadStream(file)
    .on('error', () => response.destroy())
    .pipe(response);
}
