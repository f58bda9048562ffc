import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  COMPONENT_NAMES,
  type ComponentName,
  type Components,
} from '../../../../../electron/core/domains/machine/components.ts';
import { normaliseHardware } from '../../../../../electron/core/domains/machine/fingerprint.normalise.ts';
import {
  KeyFileDamagedError,
  keyFileChecksum,
  type KeyFile,
} from '../../../../../electron/core/domains/machine/machine-key.file.ts';
import {
  MachineKeyError,
  createMachineKey,
  openMachineKey,
} from '../../../../../electron/core/domains/machine/machine-key.ts';
import { hardwareHash } from '../../../../../shared/node/crypto/hardware-hash.ts';
import { loadFixture } from './hardware-fixtures.ts';

// The cheapest cost the crypto core accepts, to keep the suite fast; the bench uses the real one.
const params = { N: 2 ** 14, r: 8, p: 1 };
const credentials = { email: 'Operator@Factory.example', password: 'correct horse battery staple' };
const installSalt = Buffer.alloc(32, 0x5a);
const desktop = normaliseHardware(loadFixture('desktop-nvidia')).components;
const laptop = normaliseHardware(loadFixture('laptop')).components;
const vm = normaliseHardware(loadFixture('linux-vm')).components;

let dir: string;
let counter = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fc-machine-key-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function newKey(components: Components) {
  const path = join(dir, `key-${counter++}.json`);
  const keyPair = await createMachineKey({ path, ...credentials, components, installSalt, params });
  return { path, keyPair };
}

function changedOne(components: Components, name: ComponentName): Components {
  return { ...components, [name]: `${components[name] ?? ''} (replaced)` };
}

async function failure(promise: Promise<unknown>): Promise<MachineKeyError | KeyFileDamagedError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof MachineKeyError || error instanceof KeyFileDamagedError) return error;
    throw error;
  }
  throw new Error('expected the open to fail');
}

describe('machine key file', () => {
  it('opens while the fingerprint is still being collected (scrypt does not wait for it)', async () => {
    const { path, keyPair } = await newKey(desktop);
    let deliver: (components: Components) => void = () => undefined;
    const collecting = new Promise<Components>((resolve) => (deliver = resolve));
    const opening = openMachineKey({ path, ...credentials, components: collecting });
    setTimeout(() => deliver(desktop), 10);
    const opened = await opening;
    expect(opened.privateKey.equals(keyPair.privateKey)).toBe(true);
    expect(opened.changed).toEqual([]);
    // A changed component that arrives late is diagnosed and re-bound as before.
    const next = changedOne(desktop, 'memory');
    const rebound = await openMachineKey({ path, ...credentials, components: Promise.resolve(next) });
    expect(rebound.changed).toEqual(['memory']);
    expect(rebound.privateKey.equals(keyPair.privateKey)).toBe(true);
  });

  it('a failed collection fails the open with its own error and leaves the key file as it was', async () => {
    const { path } = await newKey(desktop);
    const before = await readFile(path, 'utf8');
    const broken = new Error('FACTORY_FINGERPRINT_FILE is not valid JSON');
    await expect(openMachineKey({ path, ...credentials, components: Promise.reject(broken) })).rejects.toBe(
      broken,
    );
    // A wrong password still says so when the collection worked.
    await expect(
      openMachineKey({ path, ...credentials, password: 'wrong', components: Promise.resolve(desktop) }),
    ).rejects.toBeInstanceOf(MachineKeyError);
    expect(await readFile(path, 'utf8')).toBe(before);
  });

  it('opens with the right password and fingerprint; the file is 0600 and holds no component value', async () => {
    const { path, keyPair } = await newKey(desktop);
    const opened = await openMachineKey({ path, ...credentials, components: desktop });
    expect(opened.privateKey.equals(keyPair.privateKey)).toBe(true);
    expect(opened.publicKey.equals(keyPair.publicKey)).toBe(true);
    expect(opened.changed).toEqual([]);
    expect(opened.rebound).toBe(false);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const text = await readFile(path, 'utf8');
    const fullHash = hardwareHash(desktop, installSalt);
    for (const value of Object.values(desktop)) {
      for (const word of value.split(/[ |,/]+/).filter((part) => part.length >= 6))
        expect(text).not.toContain(word);
    }
    expect(text).not.toContain(fullHash.toString('hex'));
    expect(text).not.toContain(fullHash.toString('base64'));
    expect(text).not.toContain(keyPair.privateKey.toString('base64'));
  });

  it('the email is case- and space-insensitive, as the KEK salt defines', async () => {
    const { path, keyPair } = await newKey(vm);
    const opened = await openMachineKey({
      path,
      email: ' operator@factory.EXAMPLE ',
      password: credentials.password,
      components: vm,
    });
    expect(opened.privateKey.equals(keyPair.privateKey)).toBe(true);
  });

  it('a wrong password or email fails as such, not as a hardware change', async () => {
    const { path } = await newKey(desktop);
    const wrongPassword = await failure(
      openMachineKey({ path, ...credentials, password: 'Correct horse battery staple', components: desktop }),
    );
    expect(wrongPassword).toMatchObject({ code: 'wrong_password' });
    expect(wrongPassword.message).toMatch(/wrong password/i);
    const wrongEmail = await failure(
      openMachineKey({ path, ...credentials, email: 'someone@else.example', components: desktop }),
    );
    expect(wrongEmail).toMatchObject({ code: 'wrong_password' });
  });

  it('each single-component change (or disappearance) opens, re-binds and reports the component', async () => {
    const { path, keyPair } = await newKey(desktop);
    let current: Components = desktop;
    for (const name of COMPONENT_NAMES) {
      const next = changedOne(current, name);
      const opened = await openMachineKey({ path, ...credentials, components: next });
      expect(opened.changed).toEqual([name]);
      expect(opened.rebound).toBe(true);
      expect(opened.privateKey.equals(keyPair.privateKey)).toBe(true);
      // Re-bound: the new fingerprint now opens on the full slot.
      const again = await openMachineKey({ path, ...credentials, components: next });
      expect(again).toMatchObject({ changed: [], rebound: false });
      current = next;
    }
    const { ['gpu' as ComponentName]: _gpu, ...withoutGpu } = current;
    const opened = await openMachineKey({ path, ...credentials, components: withoutGpu });
    expect(opened).toMatchObject({ changed: ['gpu'], rebound: true });
    const file = JSON.parse(await readFile(path, 'utf8')) as KeyFile;
    expect(file.components).not.toContain('gpu');
  });

  it('every two-component change fails, names both, says to re-activate, and leaves the file alone', async () => {
    const { path } = await newKey(desktop);
    const before = await readFile(path, 'utf8');
    let pairs = 0;
    for (const [i, first] of COMPONENT_NAMES.entries()) {
      for (const second of COMPONENT_NAMES.slice(i + 1)) {
        const error = await failure(
          openMachineKey({
            path,
            ...credentials,
            components: changedOne(changedOne(desktop, first), second),
          }),
        );
        expect(error).toMatchObject({ code: 'hardware_mismatch', changed: [first, second] });
        expect(error.message).toContain(`${first}, ${second}`);
        expect(error.message).toMatch(/re-activate/i);
        pairs++;
      }
    }
    expect(pairs).toBe(21);
    expect(await readFile(path, 'utf8')).toBe(before);
  });

  it('strict mode fails on one change and does not re-bind', async () => {
    const { path } = await newKey(desktop);
    const before = await readFile(path, 'utf8');
    const error = await failure(
      openMachineKey({ path, ...credentials, components: changedOne(desktop, 'memory'), strict: true }),
    );
    expect(error).toMatchObject({ code: 'hardware_mismatch', changed: ['memory'] });
    expect(error.message).toMatch(/strict/);
    expect(await readFile(path, 'utf8')).toBe(before);
    const ok = await openMachineKey({ path, ...credentials, components: desktop, strict: true });
    expect(ok.changed).toEqual([]);
  });

  it('a component that merely failed to read opens without re-binding; the error suggests a retry', async () => {
    const { path } = await newKey(desktop);
    const before = await readFile(path, 'utf8');
    const { disk: _disk, ...withoutDisk } = desktop;
    const opened = await openMachineKey({
      path,
      ...credentials,
      components: withoutDisk,
      unreadable: ['disk'],
    });
    expect(opened).toMatchObject({ changed: ['disk'], rebound: false });
    expect(await readFile(path, 'utf8')).toBe(before);
    const error = await failure(
      openMachineKey({
        path,
        ...credentials,
        components: changedOne(withoutDisk, 'gpu'),
        unreadable: ['disk'],
      }),
    );
    expect(error).toMatchObject({ code: 'hardware_mismatch', changed: ['gpu', 'disk'] });
    expect(error.message).toMatch(/disk could not be read this time: try again/);
  });

  it('a key file copied to another machine fails', async () => {
    const { path, keyPair } = await newKey(desktop);
    const error = await failure(openMachineKey({ path, ...credentials, components: laptop }));
    expect(error).toMatchObject({ code: 'wrong_password' });
    expect(error.message).toMatch(/more components than it tolerates/);
    expect(error.message).not.toContain(keyPair.privateKey.toString('base64'));
  });

  it('without the hardware, the file is no oracle for the password', async () => {
    // Right password on other hardware and a wrong password on the right hardware
    // fail identically: nothing in the file is keyed by the password alone.
    const { path } = await newKey(desktop);
    const otherHardware = await failure(openMachineKey({ path, ...credentials, components: laptop }));
    const wrongPassword = await failure(
      openMachineKey({ path, ...credentials, password: 'not the password', components: desktop }),
    );
    expect(otherHardware).toMatchObject({ code: wrongPassword.code, message: wrongPassword.message });
    const file = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    expect(Object.keys(file).sort()).toEqual(
      [
        'checksum',
        'components',
        'format',
        'install_salt',
        'kdf',
        'pair_tags',
        'public_key',
        'slots',
        'version',
      ].sort(),
    );
  });

  it('a key bound to fewer than 3 components tolerates no change, and cannot name one', async () => {
    const two: Components = { cpu: 'amd epyc / 2 cores', memory: '24 gib' };
    const { path } = await newKey(two);
    const error = await failure(
      openMachineKey({ path, ...credentials, components: changedOne(two, 'memory') }),
    );
    expect(error).toMatchObject({ code: 'wrong_password' });
    expect(error.message).toMatch(/bound to cpu, memory; no changes can be named/);
  });

  it('a key bound to 3 components names one change but not two', async () => {
    const { path } = await newKey(vm);
    const names = Object.keys(vm) as ComponentName[];
    expect(names).toHaveLength(3);
    const one = await openMachineKey({ path, ...credentials, components: changedOne(vm, names[1]!) });
    expect(one.changed).toEqual([names[1]]);
    const two = await failure(
      openMachineKey({ path, ...credentials, components: changedOne(changedOne(vm, names[0]!), names[2]!) }),
    );
    expect(two).toMatchObject({ code: 'wrong_password' });
    expect(two.message).toMatch(/one change can be named/);
  });

  it('refuses to overwrite an existing key unless asked; a missing file means not activated', async () => {
    const { path } = await newKey(vm);
    await expect(
      createMachineKey({ path, ...credentials, components: vm, installSalt, params }),
    ).rejects.toMatchObject({ code: 'conflict' });
    await createMachineKey({ path, ...credentials, components: vm, installSalt, params, overwrite: true });
    await expect(
      openMachineKey({ path: join(dir, 'absent.json'), ...credentials, components: vm }),
    ).rejects.toMatchObject({ code: 'not_activated' });
  });
});

describe('damaged key files', () => {
  let path: string;
  let original: string;
  beforeAll(async () => {
    ({ path } = await newKey(vm));
    original = await readFile(path, 'utf8');
  });

  async function damagedBy(text: string): Promise<string> {
    await writeFile(path, text);
    const error = await failure(openMachineKey({ path, ...credentials, components: vm }));
    expect(error).toBeInstanceOf(KeyFileDamagedError);
    expect(error.message).toMatch(/damaged/);
    return error.message;
  }

  it('truncated at several points', async () => {
    for (const at of [0, 1, 40, Math.floor(original.length / 2), original.length - 3]) {
      await damagedBy(original.slice(0, at));
    }
  });

  it('edited fields: checksum mismatch, schema violations, out-of-range KDF cost', async () => {
    const file = JSON.parse(original) as KeyFile;
    const flipped = file.slots[0]!.box.startsWith('A')
      ? `B${file.slots[0]!.box.slice(1)}`
      : `A${file.slots[0]!.box.slice(1)}`;
    expect(
      await damagedBy(
        JSON.stringify({ ...file, slots: [{ ...file.slots[0]!, box: flipped }, ...file.slots.slice(1)] }),
      ),
    ).toMatch(/checksum/);
    expect(await damagedBy(JSON.stringify({ ...file, version: 2 }))).toMatch(/version/);
    expect(await damagedBy(JSON.stringify({ ...file, kdf: { ...file.kdf, N: 2 ** 40 } }))).toMatch(/kdf\.N/);
    expect(await damagedBy(JSON.stringify({ ...file, components: ['cpu', 'memory'] }))).toMatch(/slots|tags/);
    expect(await damagedBy(JSON.stringify({ ...file, extra: 1 }))).toMatch(/extra|unrecognized/i);
  });

  it('a forged slot with a recomputed checksum is caught by the crypto, not accepted', async () => {
    const file = JSON.parse(original) as KeyFile;
    const other = JSON.parse(await readFile((await newKey(vm)).path, 'utf8')) as KeyFile;
    const { checksum: _ignored, ...body } = { ...file, slots: [other.slots[0]!, ...file.slots.slice(1)] };
    await damagedBy(JSON.stringify({ ...body, checksum: keyFileChecksum(body) }));
  });

  it('the intact file still opens afterwards', async () => {
    await writeFile(path, original);
    const opened = await openMachineKey({ path, ...credentials, components: vm });
    expect(opened.changed).toEqual([]);
  });
});
