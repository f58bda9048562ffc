/**
 * `npm run bench -- peers`: offline open of one 1 GiB file by the tools an operator
 * would use instead, and by ours, in the same run, interleaved, two rounds:
 *
 * - `gpg --decrypt` (symmetric AES256 with MDC, passphrase from a file)
 * - `age -d` (X25519 identity file, ChaCha20-Poly1305)
 * - `openssl enc -d -aes-256-cbc -pbkdf2` (no MAC)
 * - `factory-console cat NAME > file` from a vault unlocked beforehand (the bundle of
 *   `npm run build:cli`, built first): start-up,
 *   fingerprint and the machine key's scrypt (N = 2^17, r = 8, side by side), envelope, per-chunk MAC
 *   and decrypt — the whole command, as an operator types it.
 *
 * Each is timed from spawn to exit, its output checked against the original's
 * SHA-256 (untimed), and its peak RSS read from /proc. Before each run the previous
 * output is removed and `sync` runs (untimed), so that no tool pays for the write-back
 * of the one before it (without it, the kernel time of writing the same 1 GiB varied
 * threefold from run to run). Each round also times the machine key's scrypt alone in a
 * fresh process (`MACHINE_KEK_SCRYPT`, what `cat` derives before its first chunk): the
 * part of ours that is there by design, reported beside the ratios. Writes .bench/peers.json with
 * MB/s per round, the ratios of ours to each peer (best against best, and per round),
 * and met / not met for the targets: ours ≥ age and ≥ gpg.
 * `PEERS_BENCH_MIB` overrides the size (default 1024), `PEERS_BENCH_ROUNDS` the rounds.
 */
import { spawnSync } from 'node:child_process';
import { openSync, closeSync, mkdirSync, writeFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import {
  KDF_ALONE,
  buildCli,
  MiB,
  consoleFixture,
  factoryConsole,
  requireTools,
  round,
  sha256File,
  timeCommand,
  writeRandomFile,
  type TimedRun,
} from './bench-fixture.ts';

const SIZE_MIB = Number(process.env['PEERS_BENCH_MIB'] ?? 1024);
const ROUNDS = Number(process.env['PEERS_BENCH_ROUNDS'] ?? 3);
const TOOLS = ['gpg', 'age', 'openssl', 'ours'] as const;
type Tool = (typeof TOOLS)[number];

requireTools({ gpg: 'gnupg', age: 'age', 'age-keygen': 'age', openssl: 'openssl' });
buildCli();

async function main(): Promise<void> {
  const root = await fs.mkdtemp(path.join(tmpdir(), 'peers-bench-'));
  let stopServer: (() => Promise<void>) | undefined;
  const gnupgHome = path.join(root, 'gnupg');
  try {
    const plain = path.join(root, 'plain.bin');
    await writeRandomFile(plain, SIZE_MIB);
    const expected = await sha256File(plain);
    const passFile = path.join(root, 'passphrase');
    await fs.writeFile(passFile, 'a long bench passphrase for gpg and openssl\n', { mode: 0o600 });
    await fs.mkdir(gnupgHome, { mode: 0o700 });
    const gpgEnv = { ...process.env, GNUPGHOME: gnupgHome };
    const gpgArgs = ['--batch', '--yes', '--quiet', '--no-symkey-cache', '--pinentry-mode', 'loopback'];
    const gpgArgsWithPass = [...gpgArgs, '--passphrase-file', passFile];

    // Seal once with each tool (untimed).
    await timeCommand(
      'gpg',
      [
        ...gpgArgsWithPass,
        '--symmetric',
        '--cipher-algo',
        'AES256',
        '--compress-algo',
        'none',
        '-o',
        `${plain}.gpg`,
        plain,
      ],
      { env: gpgEnv },
    );
    const identity = path.join(root, 'age-key.txt');
    await timeCommand('age-keygen', ['-o', identity]);
    const recipient = /public key: (age1\S+)/.exec(await fs.readFile(identity, 'utf8'))?.[1];
    if (recipient === undefined) throw new Error('age-keygen wrote no public key');
    await timeCommand('age', ['-r', recipient, '-o', `${plain}.age`, plain]);
    await timeCommand('openssl', [
      'enc',
      '-aes-256-cbc',
      '-pbkdf2',
      '-pass',
      `file:${passFile}`,
      '-in',
      plain,
      '-out',
      `${plain}.enc`,
    ]);
    // Ours: published, activated, unlocked into the vault online; opened offline below.
    const fixture = await consoleFixture(root, [{ file: plain, name: 'big' }]);
    stopServer = fixture.server.stop;
    await factoryConsole(['unlock', 'big'], fixture.consoleEnv);
    await fixture.server.stop(); // offline from here on
    const startup = await timeCommand(process.execPath, ['bin/factory-console.js', 'status'], {
      env: { ...process.env, ...fixture.consoleEnv },
    });

    const out = path.join(root, 'out.bin');
    const runOne = async (tool: Tool): Promise<TimedRun> => {
      switch (tool) {
        case 'gpg':
          return timeCommand('gpg', [...gpgArgsWithPass, '--decrypt', '-o', out, `${plain}.gpg`], {
            env: gpgEnv,
          });
        case 'age':
          return timeCommand('age', ['-d', '-i', identity, '-o', out, `${plain}.age`]);
        case 'openssl':
          return timeCommand('openssl', [
            'enc',
            '-d',
            '-aes-256-cbc',
            '-pbkdf2',
            '-pass',
            `file:${passFile}`,
            '-in',
            `${plain}.enc`,
            '-out',
            out,
          ]);
        case 'ours': {
          const fd = openSync(out, 'w', 0o600); // the shell's `> out`
          try {
            return await timeCommand(process.execPath, ['bin/factory-console.js', 'cat', 'big'], {
              env: { ...process.env, ...fixture.consoleEnv },
              stdout: fd,
            });
          } finally {
            closeSync(fd);
          }
        }
      }
    };

    const runs: Record<Tool, TimedRun[]> = { gpg: [], age: [], openssl: [], ours: [] };
    const kdfRuns: TimedRun[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      // Interleaved, and the order rotates each round so no tool always follows the same one.
      const order = TOOLS.map((_, i) => TOOLS[(i + r) % TOOLS.length]!);
      for (const tool of order) {
        await fs.rm(out, { force: true });
        spawnSync('sync');
        const run = await runOne(tool);
        if ((await sha256File(out)) !== expected)
          throw new Error(`${tool}: the output differs from the original`);
        runs[tool].push(run);
        process.stdout.write(`round ${r + 1} ${tool}: ${round((SIZE_MIB * MiB) / 1e6 / run.seconds)} MB/s\n`);
      }
      kdfRuns.push(await timeCommand(process.execPath, ['-e', KDF_ALONE]));
    }
    await fs.rm(out, { force: true });

    const mbS = (run: TimedRun) => (SIZE_MIB * MiB) / 1e6 / run.seconds;
    const best = (tool: Tool) => Math.max(...runs[tool].map(mbS));
    const perTool = Object.fromEntries(
      TOOLS.map((tool) => [
        tool,
        {
          best_mb_s: round(best(tool)),
          runs_mb_s: runs[tool].map((run) => round(mbS(run))),
          runs_seconds: runs[tool].map((run) => round(run.seconds, 2)),
          peak_rss_mib: round(Math.max(...runs[tool].map((run) => run.peakRssMib))),
          // Load from others on a shared machine stretches wall time; CPU-seconds much less.
          cpu_s: round(Math.min(...runs[tool].map((run) => run.cpuSeconds)), 2),
        },
      ]),
    );
    const ratio = (peer: Tool) => round(best('ours') / best(peer), 3);
    const bestOurs = runs.ours.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    const kdfSeconds = Math.min(...kdfRuns.map((run) => run.seconds));
    const perRound = (peer: Tool) => runs.ours.map((run, i) => round(mbS(run) / mbS(runs[peer][i]!), 3));
    const result = {
      size_mib: SIZE_MIB,
      rounds: ROUNDS,
      tools: perTool,
      ours_startup_status_seconds: round(startup.seconds, 3),
      ours_startup_peak_rss_mib: round(startup.peakRssMib),
      ours_to_gpg: ratio('gpg'),
      ours_to_age: ratio('age'),
      ours_to_openssl: ratio('openssl'),
      ours_to_gpg_per_round: perRound('gpg'),
      ours_to_age_per_round: perRound('age'),
      ours_to_openssl_per_round: perRound('openssl'),
      // CPU-seconds of the peer over ours (ours on two cores, the peers mostly on one).
      cpu_age_over_ours: round(perTool['age']!.cpu_s / perTool['ours']!.cpu_s, 3),
      cpu_gpg_over_ours: round(perTool['gpg']!.cpu_s / perTool['ours']!.cpu_s, 3),
      // The machine key's scrypt in a fresh process (start-up included), and ours with it
      // taken out: what the rest of the command reaches against age, whose identity file
      // has no passphrase to stretch.
      ours_kdf_seconds: round(kdfSeconds, 3),
      ours_kdf_runs_seconds: kdfRuns.map((run) => round(run.seconds, 3)),
      ours_without_kdf_to_age: round(
        (SIZE_MIB * MiB) / 1e6 / (bestOurs.seconds - kdfSeconds) / best('age'),
        3,
      ),
      load_average_1m: round(loadavg()[0] ?? 0, 2),
      targets: { ours_to_gpg: 1, ours_to_age: 1 },
    };
    mkdirSync('.bench', { recursive: true });
    writeFileSync('.bench/peers.json', `${JSON.stringify(result, null, 2)}\n`);
    console.table(
      Object.fromEntries(
        TOOLS.map((tool) => [tool, { ...perTool[tool], runs_mb_s: perTool[tool]!.runs_mb_s.join(' / ') }]),
      ),
    );
    const line = (name: string, value: number, peer: Tool) =>
      `${name} ${value} (target ≥ 1: ${value >= 1 ? 'met' : 'NOT met'}; ours ${round(best('ours'))} MB/s, ${peer} ${round(best(peer))} MB/s same run)`;
    console.log(line('ours_to_age', result.ours_to_age, 'age'));
    console.log(line('ours_to_gpg', result.ours_to_gpg, 'gpg'));
    console.log(`ours_to_openssl ${result.ours_to_openssl} (no target; openssl enc has no MAC)`);
    console.log(
      `ours_without_kdf_to_age ${result.ours_without_kdf_to_age} (no target; the machine key's scrypt alone ${result.ours_kdf_seconds} s, same run)`,
    );
  } finally {
    await stopServer?.();
    await timeCommand('gpgconf', ['--kill', 'gpg-agent'], {
      env: { ...process.env, GNUPGHOME: gnupgHome },
    }).catch(() => undefined);
    await fs.rm(root, { recursive: true, force: true });
  }
}

await main();
