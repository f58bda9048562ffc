import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditVerifyReason } from '../../../../shared/common/audit-event.ts';
import { verifyJsonlStream } from '../../../../shared/node/audit/audit-chain-verifier.ts';
import {
  AuditVerifyUsageError,
  formatAuditVerifyReport,
  parseAuditVerifyArgs,
  runAuditVerify,
} from '../../../../shared/node/audit/offline-verify.ts';
import { buildChain, checkpointFor, checkpointKey, tempDir, writeExport } from './audit-fixture.ts';

const COUNT = 12;
const { entries, lines } = buildChain(COUNT);
const key = checkpointKey();
let temp: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  temp = await tempDir();
});
afterAll(async () => temp.cleanup());

describe('offline verifier', () => {
  it('parses its arguments and refuses unknown or incomplete ones', () => {
    expect(
      parseAuditVerifyArgs(['a.jsonl', '--key', 'k', '--checkpoint', 'c', '--remember', 'r', '--json']),
    ).toEqual({
      file: 'a.jsonl',
      key: 'k',
      checkpointFile: 'c',
      rememberFile: 'r',
      json: true,
    });
    for (const bad of [[], ['--key'], ['a', '--key', '--json'], ['a', '--frobnicate'], ['a', 'b']]) {
      expect(() => parseAuditVerifyArgs(bad)).toThrow(AuditVerifyUsageError);
    }
  });

  it('detects a torn last record at every byte offset inside it, keeping every entry before', async () => {
    const whole = Buffer.from(lines.map((line) => `${line}\n`).join(''));
    const lastStart = whole.length - Buffer.byteLength(lines[COUNT - 1]!) - 1;
    for (let cut = lastStart + 1; cut < whole.length; cut += 1) {
      const verifier = await verifyJsonlStream([whole.subarray(0, cut)]);
      const result = verifier.result();
      expect(result.ok).toBe(false);
      expect(result.reason).toBe(AuditVerifyReason.TruncatedRecord);
      expect(result.first_bad_seq).toBe(COUNT);
      expect(result.checked).toBe(COUNT - 1);
      expect(result.head_hash).toBe(entries[COUNT - 2]!.hash);
    }
  });

  it('accepts a detached checkpoint file, refuses a checkpoint without a key, and a log without a checkpoint', async () => {
    const file = temp.file('plain.jsonl');
    await writeExport(file, lines);
    const note = temp.file('checkpoint.note');
    await writeFile(note, checkpointFor(entries, COUNT, key));
    const ok = await runAuditVerify({ file, checkpointFile: note, key: key.verifierKey });
    expect(ok.exitCode).toBe(0);
    expect(formatAuditVerifyReport(ok)).toMatch(/^OK: 12 entries verified/);
    const keyFile = temp.file('key.txt');
    await writeFile(keyFile, `${key.verifierKey}\n`);
    expect((await runAuditVerify({ file, checkpointFile: note, key: keyFile })).exitCode).toBe(0);
    await expect(runAuditVerify({ file, checkpointFile: note })).rejects.toThrow(AuditVerifyUsageError);
    const none = await runAuditVerify({ file, key: key.verifierKey });
    expect(none.exitCode).toBe(1);
    expect(none.result.reason).toBe(AuditVerifyReason.CheckpointInvalid);
    const chainOnly = await runAuditVerify({ file, chainOnly: true });
    expect(chainOnly.exitCode).toBe(0);
    expect(chainOnly.notes.join(' ')).toMatch(/cut-off tail would go unnoticed/);
    await expect(runAuditVerify({ file: temp.file('missing.jsonl'), chainOnly: true })).rejects.toThrow(
      /cannot read/,
    );
  });

  it('remembers the newest checkpoint and reports a log that forks from it', async () => {
    const remember = temp.file('remember.json');
    const full = temp.file('full.jsonl');
    await writeExport(full, lines, checkpointFor(entries, COUNT, key));
    expect(
      (await runAuditVerify({ file: full, key: key.verifierKey, rememberFile: remember })).exitCode,
    ).toBe(0);
    // Same size, another history, genuinely signed (a compromised or confused server): a fork.
    const forked = buildChain(COUNT, 'someone-else');
    expect(forked.entries[COUNT - 1]!.hash).not.toBe(entries[COUNT - 1]!.hash);
    const forkFile = temp.file('fork.jsonl');
    await writeExport(forkFile, forked.lines, checkpointFor(forked.entries, COUNT, key));
    expect((await runAuditVerify({ file: forkFile, key: key.verifierKey })).exitCode).toBe(0);
    const report = await runAuditVerify({ file: forkFile, rememberFile: remember });
    expect(report.exitCode).toBe(1);
    expect(report.result.reason).toBe(AuditVerifyReason.CheckpointMismatch);
    expect(formatAuditVerifyReport(report)).toMatch(/forks from the one remembered/);
  });
});
