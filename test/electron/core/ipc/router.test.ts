import { describe, expect, it } from 'vitest';
import { IpcRouter, type CallRecord, type SenderInfo } from '../../../../electron/core/ipc/router.ts';
import type { BridgeHandlers } from '../../../../electron/core/ipc/handlers.ts';
import { IntegrityError } from '../../../../shared/node/crypto/errors.ts';
import { ConsoleError } from '../../../../electron/core/platform/console-error.ts';
import { defaultSettings } from '../../../../electron/core/domains/settings/settings.store.ts';
import type { SessionState } from '../../../../shared/common/contract/bridge.ts';

const ourPage: SenderInfo = { transport: 'electron', url: 'app://console/index.html' };
const secret = 'hunter2-SECRET-KEY-MATERIAL';

function makeRouter() {
  const calls: Array<{ channel: string; args: unknown[] }> = [];
  const log: CallRecord[] = [];
  const state: SessionState = { signedIn: false, email: null, role: null, serverUrl: null };
  const record =
    <T>(channel: string, value: T) =>
    async (...args: unknown[]): Promise<T> => {
      calls.push({ channel, args });
      return value;
    };
  const unavailable = (what: string) => async (): Promise<never> => {
    throw new ConsoleError('unavailable', `${what} is not part of this test`);
  };
  const handlers: BridgeHandlers = {
    server: { inspect: unavailable('server.inspect'), trust: unavailable('server.trust') },
    vault: {
      getState: unavailable('vault.getState'),
      unlock: unavailable('vault.unlock'),
      lock: unavailable('vault.lock'),
    },
    machine: {
      getInfo: unavailable('machine.getInfo'),
      activate: unavailable('machine.activate'),
      deactivate: unavailable('machine.deactivate'),
    },
    resources: {
      list: unavailable('resources.list'),
      unlock: unavailable('resources.unlock'),
      exportTo: unavailable('resources.exportTo'),
      cancelUnlock: unavailable('resources.cancelUnlock'),
      verifyManifest: unavailable('resources.verifyManifest'),
    },
    audit: {
      page: record('audit.page', { entries: [], nextCursor: null, total: 0 }),
      verify: record('audit.verify', { intact: true, checked: 0, firstBadSeq: null }),
      exportTo: record('audit.exportTo', { path: '/tmp/a.jsonl', bytes: 0, entries: 0 }),
      verifyFile: record('audit.verifyFile', { intact: true, checked: 0, firstBadSeq: null }),
      inclusion: unavailable('audit.inclusion'),
      consistency: unavailable('audit.consistency'),
    },
    firewall: {
      listRules: record('firewall.listRules', []),
      addRule: record('firewall.addRule', {
        id: 'r1',
        cidr: '10.0.0.0/8',
        action: 'deny' as const,
        expiresAt: null,
        note: null,
      }),
      updateRule: record('firewall.updateRule', {
        id: 'r1',
        cidr: '10.0.0.0/8',
        action: 'deny' as const,
        expiresAt: null,
        note: null,
      }),
      deleteRule: record('firewall.deleteRule', { deleted: true }),
      rateLimits: record('firewall.rateLimits', []),
      blocks: record('firewall.blocks', []),
      refusals: record('firewall.refusals', []),
    },
    session: {
      getState: record('session.getState', state),
      login: async (input) => {
        calls.push({ channel: 'session.login', args: [input] });
        if (input.password === 'explode') throw new Error(`database said ${secret}`);
        if (input.password === 'wrong') throw new ConsoleError('wrong_password', 'Wrong e-mail or password.');
        if (input.password === 'tampered') throw new IntegrityError();
        return { ...state, signedIn: true, email: input.email };
      },
      logout: record('session.logout', state),
      signInMethods: record('session.signInMethods', { password: true, sso: false }),
      startSso: record('session.startSso', { authorizationUrl: 'https://idp.example/auth', opened: true }),
      completeSso: record('session.completeSso', state),
      verifyFactor: record('session.verifyFactor', state),
      factorOptions: record('session.factorOptions', { options: {} }),
      cancelFactor: record('session.cancelFactor', state),
    },
    account: {
      overview: record('account.overview', {
        email: 'a@example.test',
        role: 'admin',
        totp: false,
        passkeys: [],
        recoveryCodesLeft: 0,
        required: false,
        webauthnAvailable: false,
        apiKeys: null,
        stepUpMethods: ['password' as const],
      }),
      stepUpMethods: record('account.stepUpMethods', ['password' as const]),
      reauthOptions: record('account.reauthOptions', { options: {} }),
      reauth: record('account.reauth', { validUntil: '2030-01-01T00:00:00Z' }),
      startTotp: record('account.startTotp', { secret: 'S', otpauthUrl: 'otpauth://totp/x' }),
      confirmTotp: record('account.confirmTotp', { recoveryCodes: [] }),
      disableTotp: record('account.disableTotp', { disabled: true }),
      newRecoveryCodes: record('account.newRecoveryCodes', { recoveryCodes: [] }),
      passkeyOptions: record('account.passkeyOptions', { options: {} }),
      registerPasskey: record('account.registerPasskey', {
        passkey: { id: 'p', name: 'n', createdAt: '2026-01-01T00:00:00Z', lastUsedAt: null },
        recoveryCodes: null,
      }),
      renamePasskey: record('account.renamePasskey', []),
      removePasskey: record('account.removePasskey', []),
      sessions: record('account.sessions', []),
      revokeSession: record('account.revokeSession', { revoked: true }),
    },
    status: {
      get: async () => {
        throw new TypeError(`cannot read ${secret}`);
      },
    },
    settings: {
      get: record('settings.get', defaultSettings),
      update: record('settings.update', defaultSettings),
    },
    app: {
      info: record('app.info', {
        name: 'x',
        version: '1',
        shell: 'electron' as const,
        embeddedAdminEmail: null,
      }),
      openExternal: record('app.openExternal', { opened: false }),
      chooseSavePath: record('app.chooseSavePath', { path: null }),
    },
  };
  const router = new IpcRouter({
    handlers,
    isTrustedSender: (sender) => sender.transport === 'electron' && sender.url.startsWith('app://console/'),
    log: (entry) => log.push(entry),
  });
  return { router, calls, log };
}

const login = (extra: Record<string, unknown> = {}) => [
  { email: 'admin@localhost', password: 'pw', ...extra },
];

describe('IpcRouter', () => {
  it('calls a service instance (methods on its prototype), but none of its non-contract members', async () => {
    const called: string[] = [];
    class Session {
      async getState(): Promise<SessionState> {
        called.push('getState');
        return { signedIn: false, email: null, role: null, serverUrl: null };
      }
      async login(): Promise<SessionState> {
        return this.getState();
      }
      async logout(): Promise<SessionState> {
        return this.getState();
      }
      async start(): Promise<void> {
        called.push('start');
      }
    }
    const handlers = { session: new Session() } as unknown as BridgeHandlers;
    const router = new IpcRouter({ handlers, isTrustedSender: () => true });
    expect(await router.handle('session.getState', [], ourPage)).toMatchObject({ ok: true });
    for (const channel of ['session.start', 'session.constructor', 'session.toString', 'session.onChange']) {
      expect(await router.handle(channel, [], ourPage)).toMatchObject({ ok: false });
    }
    expect(called).toEqual(['getState']);
  });

  it('runs a valid call and wraps its value', async () => {
    const { router, calls } = makeRouter();
    const result = await router.handle('session.login', login(), ourPage);
    expect(result).toEqual({
      ok: true,
      value: expect.objectContaining({ signedIn: true, email: 'admin@localhost' }),
    });
    expect(calls).toHaveLength(1);
  });

  it('refuses a foreign sender before looking at the payload', async () => {
    const { router, calls } = makeRouter();
    for (const url of ['https://evil.example/', 'app://console.evil/index.html', '', 'file:///etc/passwd']) {
      const result = await router.handle('session.login', 'garbage', { transport: 'electron', url });
      expect(result).toEqual({ ok: false, error: { code: 'forbidden', message: expect.any(String) } });
    }
    const overHttp = await router.handle('session.getState', [], {
      transport: 'http',
      url: 'app://console/',
    });
    expect(overHttp.ok).toBe(false);
    expect(calls).toHaveLength(0);
  });

  it('answers unknown channels and events with not_found', async () => {
    const { router } = makeRouter();
    for (const channel of [
      'session.nope',
      'status.onChange',
      '__proto__',
      'constructor',
      'session',
      42,
      null,
    ]) {
      const result = await router.handle(channel, [], ourPage);
      expect(result.ok ? null : result.error.code).toBe('not_found');
    }
  });

  it.each([
    ['not a list', { email: 'a@b', password: 'x' }],
    ['too many arguments', [...login(), 1]],
    ['missing argument', []],
    ['wrong type', [{ email: 7, password: 'x' }]],
    ['extra key', login({ role: 'super_admin' })],
    ['over-long field', [{ email: 'a'.repeat(300), password: 'x' }]],
    ['class instance', [new Date()]],
    ['deep nesting', [JSON.parse('['.repeat(40) + ']'.repeat(40))]],
    ['__proto__ pollution', JSON.parse('[{"email":"a@b","password":"x","__proto__":{"polluted":true}}]')],
    [
      'constructor pollution',
      [{ email: 'a@b', password: 'x', constructor: { prototype: { polluted: true } } }],
    ],
    ['nested __proto__', [{ patch: JSON.parse('{"__proto__":{"polluted":true}}') }]],
  ])('refuses %s with validation_failed', async (_name, payload) => {
    const { router, calls } = makeRouter();
    const result = await router.handle('session.login', payload, ourPage);
    expect(result.ok ? null : result.error.code).toBe('validation_failed');
    expect(calls).toHaveLength(0);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    [
      'firewall.addRule',
      [{ cidr: '300.1.2.3/24', action: 'deny' }],
      'cidr',
      'Address or CIDR: must be an IPv4 or IPv6 address, or a CIDR range such as 203.0.113.0/24.',
    ],
    [
      'firewall.addRule',
      [{ cidr: '10.0.0.0/8', action: 'block' }],
      'action',
      'Action: must be one of allow, deny.',
    ],
    ['session.login', [{ email: 'a@b' }], 'password', 'Password: is required.'],
    ['machine.activate', [{ label: '', password: 'x' }], 'label', 'Machine label: must not be empty.'],
    [
      'session.login',
      [{ email: 'a@b', password: 'x', role: 'admin' }],
      undefined,
      'The values: has a field that does not belong here.',
    ],
  ])(
    'names the refused field of %s in words, for the form to mark it',
    async (channel, payload, field, message) => {
      const { router } = makeRouter();
      const result = await router.handle(channel, payload, ourPage);
      expect(result).toEqual({
        ok: false,
        error: { code: 'validation_failed', message, ...(field ? { field } : {}) },
      });
      // No path in the payload ("0.cidr"), no refused value, no unknown key.
      expect(JSON.stringify(result)).not.toMatch(/Invalid arguments|\d\.cidr|300\.1|role|block"/);
    },
  );

  it('refuses an oversize payload with payload_too_large', async () => {
    const { router, calls } = makeRouter();
    const result = await router.handle(
      'session.login',
      [{ email: 'a@b', password: 'x'.repeat(70_000) }],
      ourPage,
    );
    expect(result.ok ? null : result.error.code).toBe('payload_too_large');
    expect(calls).toHaveLength(0);
  });

  it('refuses non-JSON data (functions, cycles, BigInt)', async () => {
    const { router } = makeRouter();
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    for (const payload of [[cycle], [10n]]) {
      const result = await router.handle('session.login', payload, ourPage);
      expect(result.ok ? null : result.error.code).toBe('validation_failed');
    }
  });

  it('passes a typed service error through', async () => {
    const { router } = makeRouter();
    const result = await router.handle('session.login', [{ email: 'a@b', password: 'wrong' }], ourPage);
    expect(result).toEqual({
      ok: false,
      error: { code: 'wrong_password', message: 'Wrong e-mail or password.' },
    });
  });

  it('turns an unexpected error into internal, without its message or stack', async () => {
    const { router, log } = makeRouter();
    for (const [channel, args] of [
      ['session.login', [{ email: 'a@b', password: 'explode' }]],
      ['status.get', []],
    ] as const) {
      const result = await router.handle(channel, args, ourPage);
      expect(result.ok ? null : result.error.code).toBe('internal');
      const text = JSON.stringify(result);
      expect(text).not.toContain(secret);
      expect(text).not.toMatch(/at .*\.ts:\d+/);
    }
    expect(JSON.stringify(log)).not.toContain(secret);
    expect(log.some((entry) => entry.outcome === 'internal' && entry.reference)).toBe(true);
  });

  it("answers the crypto core's integrity error as integrity_failed, with its fixed sentence", async () => {
    const { router } = makeRouter();
    const result = await router.handle('session.login', [{ email: 'a@b', password: 'tampered' }], ourPage);
    expect(result).toEqual({
      ok: false,
      error: { code: 'integrity_failed', message: new IntegrityError().message },
    });
  });

  it("passes a service's typed error through as it is", async () => {
    const { router } = makeRouter();
    const result = await router.handle('resources.list', [], ourPage);
    expect(result).toEqual({
      ok: false,
      error: { code: 'unavailable', message: 'resources.list is not part of this test' },
    });
  });

  it('never echoes a rejected secret back', async () => {
    const { router } = makeRouter();
    const tooLong = `${secret}${'x'.repeat(1100)}`;
    for (const payload of [
      [{ email: 'a@b', password: tooLong }],
      [{ email: 'a@b', password: 'x', [secret]: secret }],
    ]) {
      const result = await router.handle('session.login', payload, ourPage);
      expect(result.ok ? null : result.error.code).toBe('validation_failed');
      expect(JSON.stringify(result)).not.toContain(secret);
    }
  });

  it('never logs arguments (passwords)', async () => {
    const { router, log } = makeRouter();
    await router.handle('session.login', [{ email: 'a@b', password: secret }], ourPage);
    expect(log).toHaveLength(1);
    expect(JSON.stringify(log)).not.toContain(secret);
  });

  it('fans events out to subscribers until they unsubscribe', () => {
    const { router } = makeRouter();
    const seen: Array<[string, unknown]> = [];
    const unsubscribe = router.subscribe((channel, payload) => seen.push([channel, payload]));
    router.emit('audit', 'onEntry', {
      seq: 1,
      type: 'login',
      actor: 'a',
      at: '2026-01-01T00:00:00Z',
      hash: 'h',
    });
    unsubscribe();
    router.emit('audit', 'onEntry', {
      seq: 2,
      type: 'login',
      actor: 'a',
      at: '2026-01-01T00:00:00Z',
      hash: 'h',
    });
    expect(seen).toEqual([['audit.onEntry', expect.objectContaining({ seq: 1 })]]);
    expect(router.eventChannels().sort()).toEqual([
      'audit.onEntry',
      'resources.onUnlockProgress',
      'session.onChange',
      'status.onChange',
      'vault.onChange',
    ]);
  });
});
