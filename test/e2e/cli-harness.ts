/**
 * `factory-console` as a child process against the unlock fixture's real Factory API
 * (TLS, loopback): a console home activated through the real `activate` command, and a
 * runner that collects exit code, stdout and stderr, with a timeout.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { BASE_COMPONENTS, type UnlockFixture } from './unlock-fixture.ts';

const run = promisify(execFile);
export const CLI = path.resolve('electron/core/shells/cli/index.ts');

export interface CliResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

export interface ActivatedCli {
  env: Record<string, string>;
  home: string;
  run(args: string[], extra?: Record<string, string>): Promise<CliResult>;
  /** The CLI as a running child (stdio piped), for tests that kill it. */
  spawn(args: string[]): ChildProcess;
}

/**
 * A new console home, activated with the fixture's operator (pinned certificate), run
 * from the sources or from another entry (a bundle of `npm run build:cli`).
 */
export async function activatedCli(
  fixture: UnlockFixture,
  name: string,
  entry: string = CLI,
): Promise<ActivatedCli> {
  const home = await fixture.home(name);
  const env = {
    FACTORY_CONSOLE_HOME: home,
    FACTORY_FINGERPRINT_FILE: await fixture.fingerprint(name, BASE_COMPONENTS),
    FACTORY_PASSWORD: fixture.operator.password,
  };
  async function cli(args: string[], extra: Record<string, string> = {}): Promise<CliResult> {
    try {
      const { stdout, stderr } = await run(process.execPath, [entry, ...args], {
        env: { ...process.env, ...env, ...extra },
        encoding: 'buffer',
        maxBuffer: 128 * 1024 * 1024,
        // Each run pays Node's start and one scrypt of 128 MiB: slow on a loaded 2-core machine.
        timeout: 170_000,
      });
      return { code: 0, stdout, stderr: stderr.toString() };
    } catch (error) {
      const failed = error as { code?: number; signal?: string; stdout: Buffer; stderr: Buffer };
      return {
        code: typeof failed.code === 'number' ? failed.code : 1,
        stdout: failed.stdout,
        stderr: `${failed.stderr.toString()}${failed.signal ? ` (killed: ${failed.signal})` : ''}`,
      };
    }
  }
  const activated = await cli([
    'activate',
    '--server',
    fixture.server.url,
    '--email',
    fixture.operator.email,
    '--fingerprint',
    fixture.server.certFingerprint256!,
  ]);
  if (activated.code !== 0) throw new Error(`activate failed (${activated.code}): ${activated.stderr}`);
  return {
    env,
    home,
    run: cli,
    spawn: (args) =>
      spawn(process.execPath, [entry, ...args], {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 170_000,
      }),
  };
}
