/**
 * Filters out exactly one process warning: Node's `ExperimentalWarning` for `node:sqlite`,
 * which every start of the Factory API (and of the console, whose embedded default runs
 * one) would otherwise print. Every other warning — deprecations, other experimental
 * features — still reaches Node's own printer, with `--no-warnings`, `--trace-warnings`
 * and `NODE_NO_WARNINGS` honoured as usual.
 *
 * Why this one is safe to hide: it says the `node:sqlite` API may change between Node
 * releases. The project runs on the Node it pins (the `node` dev dependency, `engines`
 * `>=22.18`), the dialect in `server/db/node-sqlite.dialect.ts` is the only user and the
 * server's tests exercise it, so a change would fail a test rather than surprise an
 * operator. A blanket `--disable-warning=ExperimentalWarning` would hide the others too.
 *
 * Install it in an entry point before anything loads `node:sqlite`: ES modules are all
 * loaded before any of them runs, so the entry imports this module statically and the
 * rest of the program dynamically (`await import(…)`).
 */

/** The warning `node:sqlite` emits when it is first loaded. */
export function isSqliteExperimentalWarning(warning: Error): boolean {
  return warning.name === 'ExperimentalWarning' && /^SQLite is an experimental feature/.test(warning.message);
}

type WarningListener = (warning: Error) => void;
const FILTERED = Symbol.for('factory.quietSqliteWarning');

/** Wraps the process's warning listeners so that they never see the SQLite warning. Idempotent. */
export function quietSqliteWarning(target: NodeJS.Process = process): void {
  const marked = target as NodeJS.Process & { [FILTERED]?: true };
  if (marked[FILTERED]) return;
  marked[FILTERED] = true;
  const printers = target.listeners('warning') as WarningListener[];
  target.removeAllListeners('warning');
  target.on('warning', (warning: Error) => {
    if (isSqliteExperimentalWarning(warning)) return;
    for (const printer of printers) printer.call(target, warning);
  });
}
