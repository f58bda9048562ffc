/**
 * The console core as the UI gets it, for tests of its services: composed by
 * `createConsoleCore` (one connection, one trust store, the services behind the
 * router), pointed at a real Factory API on loopback, with its home and fingerprint
 * in a temporary folder. What the core pushes to the UI is recorded per channel.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  createConsoleCore,
  type ConsoleCore,
  type ConsoleCoreOptions,
} from '../../../electron/core/app/console-core.ts';
import { MemorySettingsStore } from '../../../electron/core/domains/settings/settings.store.ts';

export interface CoreFixture {
  core: ConsoleCore;
  services: ConsoleCore['services'];
  home: string;
  /** Every push, in order: `{ channel: 'vault.onChange', payload }`. */
  pushed: { channel: string; payload: unknown }[];
  payloadsOf<T>(channel: string): T[];
  close(): Promise<void>;
}

/**
 * Starts a core on `serverUrl` (null: an embedded starter must be given). `home` is the
 * console home; its `fp.json` pins the fingerprint so keys open the same way every run.
 */
export async function startCore(
  options: { serverUrl: string | null; home: string } & Partial<ConsoleCoreOptions>,
): Promise<CoreFixture> {
  const fingerprintFile = path.join(options.home, 'fp.json');
  await fs
    .writeFile(
      fingerprintFile,
      JSON.stringify({ components: { cpu: 'core-fixture', memory: '8', machine_id: 'core-fixture' } }),
      { flag: 'wx' },
    )
    .catch(() => undefined);
  const core = createConsoleCore({
    dataDir: options.dataDir ?? path.join(options.home, 'ui-data'),
    settings: options.settings ?? new MemorySettingsStore({ serverUrl: options.serverUrl }),
    shell: 'browser',
    version: '0.0.0-test',
    isTrustedSender: () => true,
    startEmbedded: () => Promise.reject(new Error('no embedded factory in this test')),
    statusIntervalMs: 60_000,
    apiTimeoutMs: 5_000,
    ...options,
    home: options.home,
    env: options.env ?? { FACTORY_FINGERPRINT_FILE: fingerprintFile },
  });
  const pushed: CoreFixture['pushed'] = [];
  core.router.subscribe((channel, payload) => pushed.push({ channel, payload }));
  await core.start();
  return {
    core,
    services: core.services,
    home: options.home,
    pushed,
    payloadsOf: <T>(channel: string) =>
      pushed.filter((push) => push.channel === channel).map((push) => push.payload as T),
    close: () => core.close(),
  };
}
