/**
 * A real Redis server for tests: Debian's `redis-server` binary on a free loopback port,
 * no persistence (`--save ''`, `--appendonly no`), its working directory a fresh temp
 * folder, stopped with SIGTERM (or killed, to test an outage). A machine without the
 * binary gets one error line saying what to install — the caller fails, never skips.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const REDIS_MISSING =
  'redis-server is not installed: apt-get install redis-server (see CONTRIBUTING.md)';

/** Debian's binary, unless `binary` names another place to look. */
export const REDIS_BINARY = '/usr/bin/redis-server';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface RedisServer {
  /** `redis://127.0.0.1:PORT` */
  url: string;
  port: number;
  /** Ends the server with SIGKILL (an outage); `start()` brings it back on the same port. */
  kill(): Promise<void>;
  /** Stops the process (SIGSTOP): connections stay open, nothing answers; `resume()` continues it. */
  pause(): void;
  resume(): void;
  /** Starts it again on the same port (after `kill`). */
  start(): Promise<void>;
  /** Stops it and removes its directory. */
  stop(): Promise<void>;
}

/** Resolves once a TCP connection to `port` succeeds (or rejects after `timeoutMs`). */
async function waitForPort(port: number, child: ChildProcess, timeoutMs: number, log: () => string) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode}): ${log()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`redis-server did not listen on ${port} within ${timeoutMs} ms: ${log()}`);
}

/** Starts a throwaway Redis server; throws {@link REDIS_MISSING} without the binary. */
export async function startRedis(options: { binary?: string; password?: string } = {}): Promise<RedisServer> {
  const binary = options.binary ?? REDIS_BINARY;
  if (!existsSync(binary)) throw new Error(REDIS_MISSING);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'factory-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  let output = '';
  const launch = async () => {
    output = '';
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      ...(options.password ? ['--requirepass', options.password] : []),
    ];
    child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-2000)));
    child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-2000)));
    await waitForPort(port, child, 10_000, () => output);
  };
  const end = async (signal: NodeJS.Signals) => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGCONT');
    running.kill(signal);
    await exited;
  };
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill: () => end('SIGKILL'),
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
    start: launch,
    async stop() {
      await end('SIGTERM');
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
