// Preloaded into Electronegativity (`node --require`): it fetches translations and
// Electron's release list from the internet on every run. Tests send traffic only to
// 127.0.0.1, so every DNS lookup of a non-loopback name fails at once, offline and
// deterministic. The release-list check is excluded in the gate (see its reason).
'use strict';
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS preload for `node --require`.
const dns = require('node:dns');
const original = dns.lookup;
dns.lookup = function lookup(hostname, options, callback) {
  if (hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '::1') {
    return original.call(this, hostname, options, callback);
  }
  const done = typeof options === 'function' ? options : callback;
  const error = Object.assign(new Error(`offline guard: no lookup of ${hostname}`), { code: 'ENOTFOUND' });
  process.nextTick(() => done(error));
  return {};
};
