/**
 * Host-header validation (docs/SERVER.md `FACTORY_TRUSTED_HOSTS`): with `FACTORY_TRUSTED_HOSTS` set,
 * a request naming another host is refused (400) before anything else looks at it —
 * the defence against host-header poisoning of generated URLs. Applied in front-door.ts.
 */

function hostnameOf(host: string): string {
  const bracket = /^\[([^\]]+)\](:\d+)?$/.exec(host);
  if (bracket) return `[${bracket[1]!.toLowerCase()}]`;
  return host.replace(/:\d+$/, '').toLowerCase();
}

/** Whether `host` (a Host header) matches one of `allowed` (`name`, `name:port` or `*.domain`). */
export function hostAllowed(host: string | undefined, allowed: readonly string[]): boolean {
  if (host === undefined || host.length === 0) return false;
  const name = hostnameOf(host);
  return allowed.some((entry) => {
    const pattern = hostnameOf(entry);
    if (pattern.startsWith('*.')) return name.endsWith(pattern.slice(1)) && name.length > pattern.length - 1;
    return entry.includes(':') && !entry.startsWith('[') ? host.toLowerCase() === entry : name === pattern;
  });
}
