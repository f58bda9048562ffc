/**
 * The unlock bench's memory figure, taken on the shipped CLI (unlock.bench.ts holds the
 * memory target to it). Not a benchmark itself (scripts/bench.ts runs only `*.bench.ts`).
 */
import fs from 'node:fs/promises';
import { KDF_ALONE, MiB, PASSWORD, coldVault, sha256File, timeCommand } from './bench-fixture.ts';

/**
 * The shipped CLI (`bin/factory-console.js` on the `npm run build:cli` bundle, as an
 * operator runs it) doing `unlock NAME --out FILE` from a cold vault, in a process of its
 * own: its peak RSS (VmHWM) against the same CLI's `status` (start-up, the bundle loaded)
 * and the KDF's own peak (the scrypt alone in a fresh Node process against an idle one);
 * `resources` (signed in to the API, the list fetched) shows how much of the rest is the
 * session rather than the unlock.
 * unlock.bench.ts's in-process figures run the TypeScript sources, whose every worker thread
 * loads Node's type stripper again (a first worker loading a .ts file: 29 MiB of RSS, the same
 * as .mjs: 14, measured once).
 */
export async function measureCliUnlock(
  home: string,
  consoleEnv: Record<string, string>,
  plain: string,
  out: string,
  sizeMib: number,
) {
  const env = { ...process.env, ...consoleEnv, FACTORY_CONSOLE_HOME: home, FACTORY_PASSWORD: PASSWORD };
  const cli = (args: string[]) => timeCommand(process.execPath, ['bin/factory-console.js', ...args], { env });
  await coldVault(home);
  await fs.rm(out, { force: true });
  const unlock = await cli(['unlock', 'big', '--out', out, '--quiet']);
  if ((await sha256File(out)) !== (await sha256File(plain)))
    throw new Error('the CLI unlocked bytes that differ from the original');
  await fs.rm(out);
  const startup = await cli(['status']);
  const signedIn = await cli(['resources']);
  const kdf = await timeCommand(process.execPath, ['-e', KDF_ALONE]);
  const idle = await timeCommand(process.execPath, ['-e', '']);
  const kdfMib = kdf.peakRssMib - idle.peakRssMib;
  return {
    mbS: (sizeMib * MiB) / 1e6 / unlock.seconds,
    peakMib: unlock.peakRssMib,
    startupPeakMib: startup.peakRssMib,
    signedInPeakMib: signedIn.peakRssMib,
    kdfMib,
    beyondKdfMib: Math.max(0, unlock.peakRssMib - startup.peakRssMib - kdfMib),
  };
}
