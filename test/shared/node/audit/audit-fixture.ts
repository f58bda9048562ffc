/** Builds realistic audit chains for the tests: varied types, actors, Unicode and nested details. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AuditEventType, type AuditEntry } from '../../../../shared/common/audit-event.ts';
import { chainNext, encodeEntry, GENESIS_HEAD } from '../../../../shared/node/audit/audit-canonical.ts';
import { signCheckpoint } from '../../../../shared/node/audit/audit-checkpoint.ts';
import { CompactRange } from '../../../../shared/node/audit/merkle-tree.ts';
import { formatVerifierKey } from '../../../../shared/node/audit/signed-note.ts';
import { generateSigningKeyPair } from '../../../../shared/node/crypto/signing.ts';

const TYPES = Object.values(AuditEventType);

/** The fields of entry `index` (0-based) of a fixture chain. */
export function fixtureFields(index: number, actorPrefix = 'user') {
  return {
    type: TYPES[index % TYPES.length] ?? AuditEventType.LoginSuccess,
    actor: index % 11 === 0 ? null : `${actorPrefix}${index % 17}@example.com`,
    resource: index % 3 === 0 ? `resource/${index}` : null,
    ip:
      index % 2 === 0
        ? `10.0.${index % 256}.${(index * 7) % 256}`
        : `2001:db8::${(index % 65535).toString(16)}`,
    request_id: `req-${index}`,
    details:
      index % 5 === 0
        ? {
            zeta: 1,
            alpha: { nested: [1, 2.5, -0.001, 'x'], é: 'ü\u0001"\\' },
            count: index,
            '10': 'ten',
            '9': 'nine',
          }
        : { n: index, ok: index % 2 === 0, note: 'café ☕ 𝄞' },
    ts: new Date(Date.UTC(2026, 0, 1) + index * 1000).toISOString(),
  };
}

/** A chain of `count` entries: the entries and their canonical lines. */
export function buildChain(count: number, actorPrefix = 'user'): { entries: AuditEntry[]; lines: string[] } {
  const entries: AuditEntry[] = [];
  const lines: string[] = [];
  let head: { seq: number; hash: string } = GENESIS_HEAD;
  for (let index = 0; index < count; index += 1) {
    const built = chainNext(head, fixtureFields(index, actorPrefix));
    entries.push(built.entry);
    lines.push(built.line);
    head = built.entry;
  }
  return { entries, lines };
}

/** A signing identity for checkpoints. */
export function checkpointKey(name = 'factory.test/audit/tlog') {
  const { publicKey, privateKey } = generateSigningKeyPair();
  return { name, seed: privateKey, publicKey, verifierKey: formatVerifierKey(name, publicKey) };
}

/** The RFC 6962 root (hex) of the first `size` entries: leaves are their canonical lines. */
export function rootOf(entries: readonly AuditEntry[], size: number): string {
  const tree = new CompactRange();
  for (const entry of entries.slice(0, size)) tree.appendLeaf(encodeEntry(entry));
  return tree.root().toString('hex');
}

/** A signed tree checkpoint over the first `size` entries. */
export function checkpointFor(
  entries: AuditEntry[],
  size: number,
  key: ReturnType<typeof checkpointKey>,
): string {
  return signCheckpoint({ origin: key.name, size, rootHash: rootOf(entries, size) }, key.name, key.seed);
}

/** A temporary directory, removed by the returned cleanup. */
export async function tempDir(): Promise<{
  dir: string;
  file: (name: string) => string;
  cleanup: () => Promise<void>;
}> {
  const dir = await mkdtemp(path.join(tmpdir(), 'audit-test-'));
  return {
    dir,
    file: (name) => path.join(dir, name),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Writes an export: lines, then optionally the checkpoint trailer. */
export async function writeExport(file: string, lines: string[], checkpoint?: string): Promise<void> {
  const trailer = checkpoint === undefined ? '' : `${JSON.stringify({ checkpoint })}\n`;
  await writeFile(file, lines.map((line) => `${line}\n`).join('') + trailer);
}
