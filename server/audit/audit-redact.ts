/**
 * A last line of defence at the audit log's trust boundary: callers must never put
 * secrets in `details`, but if one does by mistake, values under secret-looking keys
 * are replaced before they are hashed into a log that can never be edited again.
 */
const SECRET_KEY =
  /pass(word|phrase)?|secret|token|api[_-]?key|private[_-]?key|authorization|cookie|serial|^key$/i;

/** A copy of `details` with values under secret-looking keys replaced by `[redacted]`. */
export function redactDetails(value: unknown, depth = 0): unknown {
  if (depth > 16 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => redactDetails(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    out[key] = SECRET_KEY.test(key) ? '[redacted]' : redactDetails(item, depth + 1);
  }
  return out;
}
