/**
 * Fastify's `childLoggerFactory`: a request's own logger (`request.log`, bound to its
 * request id) is made the first time something logs through it, not for every request.
 * Most requests write no line of their own (the access line has its logger, app.ts), and
 * a pino child per request — its bindings serialised and passed through the redaction —
 * was a measurable share of a request (docs/SERVER.md §Performance).
 *
 * The child, once made, is exactly the one Fastify would have made: same parent, same
 * bindings, same redaction. A route's own log level or serializers make it at once.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, LevelWithSilentOrString } from 'pino';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

function write(logger: FastifyBaseLogger, level: Level, args: unknown[]): void {
  (logger[level] as (...args: unknown[]) => void).apply(logger, args);
}

class LazyRequestLogger implements FastifyBaseLogger {
  readonly #parent: FastifyBaseLogger;
  readonly #bindings: Bindings;
  #child: FastifyBaseLogger | undefined;

  constructor(parent: FastifyBaseLogger, bindings: Bindings) {
    this.#parent = parent;
    this.#bindings = bindings;
  }

  #real(): FastifyBaseLogger {
    this.#child ??= this.#parent.child(this.#bindings);
    return this.#child;
  }

  get level(): LevelWithSilentOrString {
    return (this.#child ?? this.#parent).level;
  }

  set level(level: LevelWithSilentOrString) {
    this.#real().level = level;
  }

  fatal(...args: unknown[]): void {
    write(this.#real(), 'fatal', args);
  }

  error(...args: unknown[]): void {
    write(this.#real(), 'error', args);
  }

  warn(...args: unknown[]): void {
    write(this.#real(), 'warn', args);
  }

  info(...args: unknown[]): void {
    write(this.#real(), 'info', args);
  }

  debug(...args: unknown[]): void {
    write(this.#real(), 'debug', args);
  }

  trace(...args: unknown[]): void {
    write(this.#real(), 'trace', args);
  }

  silent(...args: unknown[]): void {
    write(this.#real(), 'silent', args);
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#real().child(bindings, options);
  }
}

export function lazyRequestLogger(
  logger: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildLoggerOptions,
): FastifyBaseLogger {
  if (Object.keys(options).length > 0) return logger.child(bindings, options);
  return new LazyRequestLogger(logger, bindings);
}
