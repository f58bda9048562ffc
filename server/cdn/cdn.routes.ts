/**
 * `GET /cdn/<object>?exp=&sig=`: big parts, served with plain node streams (a generic
 * static-file plugin is ~5× slower here: `npm run bench -- unlock`) and HTTP Range, so a cut
 * download resumes where it stopped.
 *
 * Trust boundary: the URL is the only credential and it is public by design: it is
 * HMAC-signed, names one object and expires (cdn-url.ts). The bytes are ciphertext
 * whose integrity the console checks against the signed manifest.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode } from '../../shared/common/errors.ts';
import { ApiError } from '../errors.ts';
import { CDN_OBJECT_PATTERN, type CdnStore } from './cdn-store.ts';
import type { CdnUrlSigner } from './cdn-url.ts';

/** Parses one `bytes=` range against `size`; undefined = whole object; 'unsatisfiable' = 416. */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  // Multiple ranges or other units: serve the whole object, as RFC 9110 §14.2 allows.
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

export function cdnRoutes(app: FastifyInstance, store: CdnStore, signer: CdnUrlSigner): void {
  const serve = async (request: FastifyRequest, reply: FastifyReply) => {
    const object = (request.params as { '*': string })['*'];
    if (!CDN_OBJECT_PATTERN.test(object)) throw new ApiError(ErrorCode.NotFound, 'no such object');
    const query = request.query as Record<string, unknown>;
    const verdict = signer.verify(object, query['exp'], query['sig']);
    if (verdict === 'expired')
      throw new ApiError(ErrorCode.CdnUrlExpired, 'this download URL expired: ask the API for a new one');
    if (verdict === 'invalid') throw new ApiError(ErrorCode.Forbidden, 'invalid download URL signature');
    const size = await store.size(object);
    if (size === undefined) throw new ApiError(ErrorCode.NotFound, 'no such object');
    const range = parseRange(request.headers.range, size);
    reply
      .header('accept-ranges', 'bytes')
      .header('cache-control', 'private, no-store')
      .type('application/octet-stream');
    if (range === 'unsatisfiable') {
      return reply.code(416).header('content-range', `bytes */${size}`).send();
    }
    const { start, end } = range ?? { start: 0, end: size - 1 };
    if (range) reply.code(206).header('content-range', `bytes ${start}-${end}/${size}`);
    reply.header('content-length', String(Math.max(0, end - start + 1)));
    if (request.method === 'HEAD' || size === 0) return reply.send();
    return reply.send(store.read(object, start, end));
  };
  app.get('/cdn/*', { config: { permission: 'public' } }, serve);
}
