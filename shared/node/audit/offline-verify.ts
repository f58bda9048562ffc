/**
 * The offline verifier behind `factory-api audit verify` and `factory-console audit
 * verify`: checks a JSONL export's chain, recomputes the RFC 6962 Merkle root of its entries
 * and compares it with its signed tree checkpoint (embedded trailer or `--checkpoint FILE`,
 * against a pinned key), and checks that the log only grew since the checkpoint the verifier
 * remembers from earlier runs (the root of that prefix of the export); the remembered
 * checkpoint advances only when all of that holds. Both CLIs are thin wrappers around {@link runAuditVerify}.
 *
 * Exit codes: 0 only when the chain and a signed checkpoint hold; 1 when anything does
 * not (tampering, truncation, a bad or stale checkpoint); 2 for usage or I/O errors.
 */
import { readFile } from 'node:fs/promises';
import { AUDIT_GENESIS_HASH, AuditVerifyReason, type AuditVerifyResult } from '../../common/audit-event.ts';
import { compareCheckpoints, openCheckpoint, type Checkpoint } from './audit-checkpoint.ts';
import { verifyJsonlFile, type FileVerification } from './audit-file-verifier.ts';
import { RememberedCheckpoints } from './remembered-checkpoints.ts';
import { proveLogGrew, tlogReaderOf, type GrowthResult } from './tlog-proofs.ts';
import {
  NoteVerificationError,
  formatVerifierKey,
  parseVerifierKey,
  type NoteVerifier,
} from './signed-note.ts';

/** Options of one verification. */
export interface AuditVerifyOptions {
  file: string;
  /** A checkpoint note file; otherwise the export's trailer line is used. */
  checkpointFile?: string;
  /** A verifier key (`name+id+base64`) or a file holding one. */
  key?: string;
  /** A JSON file of remembered checkpoints, read and (on success) advanced. */
  rememberFile?: string;
  /** Accept a chain with no checkpoint (truncation then goes undetected). */
  chainOnly?: boolean;
  /** Parse and check the canonical form of every line (slower; the hash already covers every byte). */
  strict?: boolean;
}

/** Options of an online check (`audit verify --server URL --remember FILE`, no export file). */
export interface AuditOnlineOptions {
  server: string;
  /** The account that signs in (an auditor or above); its password comes from the caller. */
  email: string;
  rememberFile: string;
  /** A verifier key (`name+id+base64`) or a file holding one: the served key must be it. */
  key?: string;
}

/** What the verification found. */
export interface AuditVerifyReport {
  result: AuditVerifyResult;
  checkpoint?: Checkpoint;
  notes: string[];
  exitCode: 0 | 1;
}

/** A usage or I/O problem (exit code 2). */
export class AuditVerifyUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditVerifyUsageError';
  }
}

export const AUDIT_VERIFY_USAGE =
  'audit verify FILE.jsonl [--checkpoint FILE] [--key VERIFIER_KEY|FILE] [--remember FILE] [--chain-only] [--strict] [--json] | audit verify --server URL --email E [--remember FILE] [--key KEY|FILE] [--json]';

/** Parsed `audit verify` arguments: an export file to verify offline, or a server to ask for a proof. */
export type AuditVerifyArgs =
  | (AuditVerifyOptions & { json: boolean; server?: undefined })
  | (Omit<AuditOnlineOptions, 'rememberFile' | 'email'> & {
      json: boolean;
      email?: string;
      rememberFile?: string;
      file?: undefined;
    });

/** Parses `audit verify` arguments. */
export function parseAuditVerifyArgs(args: string[]): AuditVerifyArgs {
  const options: Partial<AuditVerifyOptions> & { json: boolean; server?: string; email?: string } = {
    json: false,
  };
  const valued = {
    '--checkpoint': 'checkpointFile',
    '--key': 'key',
    '--remember': 'rememberFile',
    '--server': 'server',
    '--email': 'email',
  } as const;
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (arg === '--json') options.json = true;
    else if (arg === '--chain-only') options.chainOnly = true;
    else if (arg === '--strict') options.strict = true;
    else if (arg in valued) {
      const value = args[index + 1];
      if (value === undefined || value.startsWith('--'))
        throw new AuditVerifyUsageError(`${arg} needs a value`);
      options[valued[arg as keyof typeof valued]] = value;
      index += 1;
    } else if (arg.startsWith('--')) throw new AuditVerifyUsageError(`unknown option ${arg}`);
    else if (options.file === undefined) options.file = arg;
    else throw new AuditVerifyUsageError(`unexpected argument ${arg}`);
  }
  if (options.server !== undefined) {
    if (options.file !== undefined || options.checkpointFile || options.chainOnly || options.strict)
      throw new AuditVerifyUsageError(
        '--server checks the remembered checkpoint by a proof: give no export file, --checkpoint, --chain-only or --strict',
      );
    if (!/^https?:\/\/[^\s/]+/.test(options.server))
      throw new AuditVerifyUsageError(`--server needs an http(s) URL, not ${options.server}`);
    const { file: _file, checkpointFile: _checkpoint, ...online } = options;
    return { ...online, server: options.server.replace(/\/+$/, '') };
  }
  if (options.file === undefined) throw new AuditVerifyUsageError(`usage: ${AUDIT_VERIFY_USAGE}`);
  if (options.email !== undefined) throw new AuditVerifyUsageError('--email goes with --server');
  return { ...options, file: options.file, server: undefined };
}

async function loadKey(key: string): Promise<NoteVerifier> {
  let text = key;
  if (!/^[^+\s]+\+[0-9a-f]{8}\+/.test(key)) {
    try {
      text = (await readFile(key, 'utf8')).trim();
    } catch {
      throw new AuditVerifyUsageError(`--key is neither a verifier key nor a readable file: ${key}`);
    }
  }
  try {
    return parseVerifierKey(text);
  } catch (error) {
    throw new AuditVerifyUsageError(`bad verifier key: ${(error as Error).message}`);
  }
}

/** What an online check found: the consistency proof's verdict, and whether it holds. */
export interface AuditOnlineReport {
  result: GrowthResult;
  exitCode: 0 | 1;
}

/**
 * Signs in to the server and checks, by one RFC 9162 consistency proof (O(log n) hashes, no
 * entries downloaded), that its newest signed checkpoint extends the one remembered in
 * `rememberFile`; the remembered checkpoint advances only when that holds. The first run
 * against a log pins its checkpoint and key (or checks the key against `--key`).
 * HAZMAT: `password` is the account's; it is sent to the server only, never printed.
 */
export async function runOnlineAuditVerify(
  options: AuditOnlineOptions,
  password: string,
  fetchImpl: typeof fetch = fetch,
): Promise<AuditOnlineReport> {
  const memory = await RememberedCheckpoints.load(options.rememberFile).catch((error: unknown) => {
    throw new AuditVerifyUsageError((error as Error).message);
  });
  const pinned = options.key ? await loadKey(options.key) : undefined;
  let login: Response;
  try {
    login = await fetchImpl(`${options.server}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: options.email, password }),
    });
  } catch (error) {
    throw new AuditVerifyUsageError(`cannot reach ${options.server}: ${(error as Error).message}`);
  }
  const session = (await login.json().catch(() => ({}))) as { access_token?: string };
  if (!login.ok || typeof session.access_token !== 'string')
    throw new AuditVerifyUsageError(
      `sign-in as ${options.email} failed (HTTP ${login.status}): use an auditor account (one without a second factor for scripts)`,
    );
  const token = session.access_token;
  const reader = tlogReaderOf((route) =>
    fetchImpl(`${options.server}${route}`, { headers: { authorization: `Bearer ${token}` } }),
  );
  if (pinned) {
    const served = await reader.checkpoint();
    const expected = formatVerifierKey(pinned.name, pinned.publicKey);
    if (served.verifier_key !== expected) {
      return {
        result: {
          ok: false,
          reason: AuditVerifyReason.CheckpointInvalid,
          origin: served.origin,
          from: 0,
          to: served.size,
          firstBadSeq: null,
          message: `the server's checkpoints are signed by ${served.verifier_key}, not the --key given`,
        },
        exitCode: 1,
      };
    }
  }
  const result = await proveLogGrew(reader, memory);
  return { result, exitCode: result.ok ? 0 : 1 };
}

/** A human-readable report of an online check. */
export function formatOnlineReport(report: AuditOnlineReport): string {
  const { result } = report;
  if (result.ok) {
    const line =
      result.relation === 'first'
        ? `OK: nothing was remembered for ${result.origin}; its signed checkpoint of size ${result.to} is remembered now (the next run proves the log only grew from it)`
        : result.relation === 'same'
          ? `OK: the log is as remembered (size ${result.to}, same Merkle root)`
          : `OK: the log only grew since the remembered checkpoint (seq ${result.from} → ${result.to}): consistency proof verified, size ${result.to} remembered`;
    return `${line}\n`;
  }
  return `TAMPERED or INVALID: ${result.reason} at seq ${result.firstBadSeq ?? '?'}\n  ${result.message}\n  the remembered checkpoint (size ${result.from}) is kept\n`;
}

async function readNote(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    throw new AuditVerifyUsageError(`cannot read checkpoint file ${path}`);
  }
}

async function verifyFile(file: string, watch: number[], strict: boolean): Promise<FileVerification> {
  try {
    return await verifyJsonlFile(file, watch, { strict });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES') {
      throw new AuditVerifyUsageError(`cannot read ${file}`);
    }
    throw error;
  }
}

const fail = (
  result: AuditVerifyResult,
  reason: AuditVerifyReason,
  firstBad: number,
  message: string,
): AuditVerifyResult => ({ ...result, ok: false, reason, first_bad_seq: firstBad, message });

/** Verifies an export; never throws for tampering, only for usage and I/O problems. */
export async function runAuditVerify(options: AuditVerifyOptions): Promise<AuditVerifyReport> {
  const notes: string[] = [];
  const remembered = options.rememberFile
    ? await RememberedCheckpoints.load(options.rememberFile)
    : undefined;
  const explicitNote = options.checkpointFile ? await readNote(options.checkpointFile) : undefined;
  const keyText = options.key ?? remembered?.onlyVerifierKey();
  const verifier = keyText ? await loadKey(keyText) : undefined;

  // Sizes whose chain hashes and tree roots we must keep while streaming: the explicit and
  // remembered checkpoints.
  const watch: number[] = [];
  let checkpoint: Checkpoint | undefined;
  let result: AuditVerifyResult = { ok: false, checked: 0, head_seq: 0, head_hash: AUDIT_GENESIS_HASH };
  try {
    if (explicitNote !== undefined && verifier) checkpoint = openCheckpoint(explicitNote, verifier);
    if (checkpoint) watch.push(checkpoint.size);
    // A guess before the trailer is read (one remembered log); the origin decides below.
    const known = checkpoint ? remembered?.get(checkpoint.origin) : remembered?.only();
    const knownLegacy = checkpoint ? remembered?.legacyFor(checkpoint.origin) : remembered?.onlyLegacy();
    if (known) watch.push(known.size);
    if (knownLegacy) watch.push(knownLegacy.size);
    let chain = await verifyFile(options.file, watch, options.strict ?? false);
    result = chain.result;
    if (!result.ok) return { result, notes, exitCode: 1 };
    const note = explicitNote ?? chain.trailerCheckpoint;
    if (note === undefined) {
      if (options.chainOnly) {
        notes.push('no checkpoint: the chain holds, but a cut-off tail would go unnoticed');
        return { result, notes, exitCode: 0 };
      }
      return {
        result: fail(result, AuditVerifyReason.CheckpointInvalid, 0, 'the export has no checkpoint'),
        notes,
        exitCode: 1,
      };
    }
    if (!verifier)
      throw new AuditVerifyUsageError(
        'a checkpoint needs a trusted key: pass --key (or --remember a file that pinned one)',
      );
    checkpoint ??= openCheckpoint(note, verifier);
    const pinned = remembered?.get(checkpoint.origin);
    const legacy = remembered?.legacyFor(checkpoint.origin);
    const missing = [checkpoint.size, pinned?.size ?? 0, legacy?.size ?? 0].filter(
      (size) => size !== result.head_seq && size !== 0 && !watch.includes(size),
    );
    // The trailer named a size we did not watch on the first pass: one more pass for its root.
    if (missing.length > 0)
      chain = await verifyFile(options.file, [...watch, ...missing], options.strict ?? false);
    result = { ...result, checkpoint_size: checkpoint.size };
    const problem = checkTree(checkpoint, result.head_seq, chain);
    if (problem) {
      return {
        result: fail(
          result,
          problem.reason,
          problem.firstBad,
          `the log does not match its checkpoint (size ${checkpoint.size})`,
        ),
        checkpoint,
        notes,
        exitCode: 1,
      };
    }
    if (pinned) {
      const relation = compareCheckpoints(pinned, checkpoint);
      if (relation === 'stale' || relation === 'fork') {
        const shorter = result.head_seq < pinned.size;
        const reason =
          relation === 'stale' ? AuditVerifyReason.CheckpointStale : AuditVerifyReason.CheckpointMismatch;
        const message = `the checkpoint (size ${checkpoint.size}) ${relation === 'stale' ? 'is older than' : 'forks from'} the one remembered (size ${pinned.size})`;
        return {
          result: fail(result, reason, shorter ? result.head_seq + 1 : pinned.size, message),
          checkpoint,
          notes,
          exitCode: 1,
        };
      }
      // The export holds every entry: the root of its first pinned.size entries is the proof
      // that the log only grew (stronger than a consistency proof, which needs no entries).
      const rememberedProblem = checkTree(pinned, result.head_seq, chain);
      if (rememberedProblem) {
        return {
          result: fail(
            result,
            rememberedProblem.reason,
            rememberedProblem.firstBad,
            `the log is inconsistent with the remembered checkpoint (size ${pinned.size})`,
          ),
          checkpoint,
          notes,
          exitCode: 1,
        };
      }
    }
    if (legacy) {
      // A chain head remembered before the tree: checked by the rule it was made under, then
      // replaced by the tree checkpoint (never read as a root).
      const short = result.head_seq < legacy.size;
      if (short || chain.hashAt(legacy.size) !== legacy.headHash) {
        return {
          result: fail(
            result,
            short ? AuditVerifyReason.CheckpointAhead : AuditVerifyReason.CheckpointMismatch,
            short ? result.head_seq + 1 : legacy.size,
            `the log is inconsistent with the remembered chain-head checkpoint (size ${legacy.size}, from before the Merkle tree)`,
          ),
          checkpoint,
          notes,
          exitCode: 1,
        };
      }
      notes.push(
        `the remembered chain-head checkpoint (size ${legacy.size}) from before the Merkle tree holds; it is replaced by this tree checkpoint`,
      );
    }
    if (result.head_seq > checkpoint.size) {
      notes.push(`entries after ${checkpoint.size} are chained but not yet covered by a checkpoint`);
    }
    if (remembered && options.rememberFile) {
      await remembered.advance(checkpoint, note, formatVerifierKey(verifier.name, verifier.publicKey));
    }
    return { result, checkpoint, notes, exitCode: 0 };
  } catch (error) {
    if (!(error instanceof NoteVerificationError)) throw error;
    return {
      result: fail(result, AuditVerifyReason.CheckpointInvalid, 0, `checkpoint: ${error.message}`),
      notes,
      exitCode: 1,
    };
  }
}

/** Whether the first `checkpoint.size` entries of a verified export have the checkpoint's root. */
function checkTree(
  checkpoint: Checkpoint,
  headSeq: number,
  chain: FileVerification,
): { reason: AuditVerifyReason; firstBad: number } | undefined {
  if (headSeq < checkpoint.size) return { reason: AuditVerifyReason.CheckpointAhead, firstBad: headSeq + 1 };
  if (chain.rootAt(checkpoint.size) !== checkpoint.rootHash)
    return { reason: AuditVerifyReason.CheckpointMismatch, firstBad: checkpoint.size };
  return undefined;
}

/** A human-readable report: one verdict line, then details. */
export function formatAuditVerifyReport(report: AuditVerifyReport): string {
  const { result } = report;
  const lines: string[] = [];
  if (report.exitCode === 0) {
    lines.push(
      `OK: ${result.checked} entries verified; head seq ${result.head_seq}, hash ${result.head_hash}`,
    );
    if (report.checkpoint)
      lines.push(
        `checkpoint: ${report.checkpoint.origin} size ${report.checkpoint.size}, signature valid, Merkle root ${report.checkpoint.rootHash} recomputed from the entries`,
      );
  } else {
    lines.push(`TAMPERED or INVALID: ${result.reason ?? 'unknown'} at seq ${result.first_bad_seq ?? '?'}`);
    if (result.message) lines.push(`  ${result.message}`);
    lines.push(`  ${result.checked} entries verified before it (head seq ${result.head_seq})`);
  }
  for (const note of report.notes) lines.push(`note: ${note}`);
  return `${lines.join('\n')}\n`;
}
