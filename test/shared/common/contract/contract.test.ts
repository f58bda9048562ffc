import { describe, expect, it } from 'vitest';
import { argumentSchemaOf, argumentSchemas } from '../../../../shared/common/contract/arguments.ts';
import { bridgeChannels, buildBridge, listChannels } from '../../../../shared/common/contract/channels.ts';
import { createConsoleCore } from '../../../../electron/core/app/console-core.ts';
import { MemorySettingsStore } from '../../../../electron/core/domains/settings/settings.store.ts';
import { validArguments } from './sample-arguments.ts';

const invokeChannels = listChannels().filter((entry) => entry.kind === 'invoke');
const eventChannels = listChannels().filter((entry) => entry.kind === 'event');

function consoleRouter() {
  return createConsoleCore({
    dataDir: '/nonexistent',
    settings: new MemorySettingsStore(),
    shell: 'browser',
    version: '0.0.0-test',
    isTrustedSender: () => true,
    startEmbedded: async () => {
      throw new Error('not started in this test');
    },
  }).router;
}

describe('the IPC contract', () => {
  it('has every domain of the design, with calls and the five push events', () => {
    expect(Object.keys(bridgeChannels).sort()).toEqual(
      [
        'account',
        'app',
        'audit',
        'firewall',
        'machine',
        'resources',
        'server',
        'session',
        'settings',
        'status',
        'vault',
      ].sort(),
    );
    expect(eventChannels.map((entry) => entry.channel).sort()).toEqual(
      [
        'audit.onEntry',
        'resources.onUnlockProgress',
        'session.onChange',
        'status.onChange',
        'vault.onChange',
      ].sort(),
    );
    expect(new Set(listChannels().map((entry) => entry.channel)).size).toBe(listChannels().length);
  });

  it('gives every call a schema and a handler, and events neither', () => {
    const router = consoleRouter();
    for (const entry of invokeChannels) {
      expect(argumentSchemaOf(entry.channel), entry.channel).toBeDefined();
      expect(router.hasHandler(entry.channel), entry.channel).toBe(true);
    }
    for (const entry of eventChannels) {
      expect(argumentSchemaOf(entry.channel), entry.channel).toBeUndefined();
      expect(router.hasHandler(entry.channel), entry.channel).toBe(false);
    }
    const schemaCount = Object.values(argumentSchemas).reduce(
      (sum, members) => sum + Object.keys(members).length,
      0,
    );
    expect(schemaCount).toBe(invokeChannels.length);
    expect(Object.keys(validArguments).sort()).toEqual(invokeChannels.map((entry) => entry.channel).sort());
  });

  it('builds a frozen bridge with exactly the contract keys, routed to the right channels', async () => {
    const calls: Array<[string, unknown[]]> = [];
    const subscriptions: string[] = [];
    const bridge = buildBridge({
      invoke: async (channel, args) => {
        calls.push([channel, args]);
        return { ok: true, value: channel };
      },
      subscribe: (channel) => {
        subscriptions.push(channel);
        return () => undefined;
      },
    }) as unknown as Record<string, Record<string, (...args: unknown[]) => unknown>>;
    expect(Object.isFrozen(bridge)).toBe(true);
    expect(Object.keys(bridge).sort()).toEqual(Object.keys(bridgeChannels).sort());
    for (const [domain, members] of Object.entries(bridgeChannels)) {
      expect(Object.isFrozen(bridge[domain])).toBe(true);
      expect(Object.keys(bridge[domain] ?? {}).sort()).toEqual(Object.keys(members).sort());
    }
    await bridge.session?.login?.({ email: 'a@b', password: 'x' });
    expect(calls).toEqual([['session.login', [{ email: 'a@b', password: 'x' }]]]);
    const unsubscribe = bridge.status?.onChange?.(() => undefined);
    expect(typeof unsubscribe).toBe('function');
    expect(subscriptions).toEqual(['status.onChange']);
    expect(() => bridge.status?.onChange?.('not a function')).toThrow(TypeError);
    expect(() => {
      (bridge as Record<string, unknown>).extra = 1;
    }).toThrow(TypeError);
  });

  describe.each(invokeChannels.map((entry) => entry.channel))('%s', (channel) => {
    const schema = argumentSchemaOf(channel)!;
    const valid = validArguments[channel]!;

    it('accepts its sample', () => {
      expect(schema.safeParse(valid).success).toBe(true);
    });

    it('rejects an extra argument, a missing list and a wrong type', () => {
      expect(schema.safeParse([...valid, { extra: true }]).success).toBe(false);
      expect(schema.safeParse(valid[0] ?? null).success).toBe(false);
      expect(schema.safeParse('[]').success).toBe(false);
      if (valid.length > 0) {
        expect(schema.safeParse([42]).success).toBe(false);
        expect(schema.safeParse([]).success).toBe(false);
      }
    });

    it('rejects extra keys and prototype keys in its object', () => {
      if (valid.length === 0) return expect(schema.safeParse([{}]).success).toBe(false);
      const object = valid[0] as Record<string, unknown>;
      expect(schema.safeParse([{ ...object, admin: true }]).success).toBe(false);
      const polluted = JSON.parse(
        `[${JSON.stringify(object).replace(/^\{/, '{"__proto__":{"admin":true},')}]`,
      );
      expect(schema.safeParse(polluted).success).toBe(false);
      expect(schema.safeParse([{ ...object, constructor: { prototype: { admin: true } } }]).success).toBe(
        false,
      );
      expect(({} as Record<string, unknown>).admin).toBeUndefined();
    });
  });
});
