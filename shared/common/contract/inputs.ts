/**
 * zod schemas for every argument the renderer may send (renderer input is untrusted).
 * Objects are strict: an extra key, including `__proto__` or `constructor`, is an
 * error, never silently dropped. Strings and lists are bounded.
 */
import { z } from 'zod';
import { ContractLimits } from './limits.ts';

const text = z.string().min(1).max(ContractLimits.maxText);
const id = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:-]+$/, 'an identifier of letters, digits, dot, colon, dash or underscore');
const httpUrl = z.url({ protocol: /^https?$/ }).max(ContractLimits.maxUrl);
const isoTime = z.iso.datetime({ offset: true });

export const LoginInput = z.strictObject({
  email: z.string().min(3).max(254),
  // Secret: travels once to the main side, never echoed back, never logged.
  password: z.string().min(1).max(1024),
});
export type LoginInput = z.infer<typeof LoginInput>;

export const ActivateInput = z.strictObject({
  label: text,
  password: z.string().min(1).max(1024),
});
export type ActivateInput = z.infer<typeof ActivateInput>;

export const UnlockInput = z.strictObject({
  resourceId: id,
  password: z.string().min(1).max(1024),
});
export type UnlockInput = z.infer<typeof UnlockInput>;

export const JobInput = z.strictObject({ jobId: id });
export type JobInput = z.infer<typeof JobInput>;

export const ResourceInput = z.strictObject({ resourceId: id });
export type ResourceInput = z.infer<typeof ResourceInput>;

/** Export of a vault item to a local file chosen by the operator (the main side checks the path). */
export const ResourceExportInput = z.strictObject({
  resourceId: id,
  path: z.string().min(1).max(ContractLimits.maxUrl),
  // Secret: opens the machine key offline; used for this call only, never echoed or logged.
  // Optional while the vault is unlocked (its opened key is used instead).
  password: z.string().min(1).max(1024).optional(),
});
export type ResourceExportInput = z.infer<typeof ResourceExportInput>;

export const AuditPageInput = z.strictObject({
  cursor: z.string().max(512).optional(),
  limit: z.int().min(1).max(ContractLimits.maxPageSize),
  type: text.optional(),
  actor: text.optional(),
  from: isoTime.optional(),
  to: isoTime.optional(),
  search: text.optional(),
  /** Rows to skip from the cursor (or the start): with `AuditPage.total`, a jump to any row. */
  offset: z.int().min(0).max(100_000_000).optional(),
});
export type AuditPageInput = z.infer<typeof AuditPageInput>;

export const AuditExportInput = z.strictObject({
  // A local path chosen by the operator; the main side checks it (absolute, `.jsonl`).
  path: z.string().min(1).max(ContractLimits.maxUrl),
});
export type AuditExportInput = z.infer<typeof AuditExportInput>;

/** An entry to prove included in the signed tree: its seq and the chain hash the view shows. */
export const AuditInclusionInput = z.strictObject({
  seq: z.int().min(1).max(Number.MAX_SAFE_INTEGER),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
});
export type AuditInclusionInput = z.infer<typeof AuditInclusionInput>;

export const FirewallRuleInput = z.strictObject({
  cidr: z.union([z.cidrv4(), z.cidrv6(), z.ipv4(), z.ipv6()], {
    error: 'an IPv4 or IPv6 address, or a CIDR range such as 203.0.113.0/24',
  }),
  action: z.enum(['allow', 'deny']),
  expiresAt: isoTime.optional(),
  note: text.optional(),
});
export type FirewallRuleInput = z.infer<typeof FirewallRuleInput>;

export const RuleInput = z.strictObject({ ruleId: id });
export type RuleInput = z.infer<typeof RuleInput>;

/** A new expiry for one rule; `null` makes the rule permanent. */
export const RuleExpiryInput = z.strictObject({ ruleId: id, expiresAt: isoTime.nullable() });
export type RuleExpiryInput = z.infer<typeof RuleExpiryInput>;

export const SettingsPatch = z.strictObject({
  // null switches back to the embedded default (a local demo Factory API).
  serverUrl: httpUrl.nullable().optional(),
  theme: z.enum(['system', 'light', 'dark']).optional(),
  strictHardware: z.boolean().optional(),
  autoLockMinutes: z.int().min(1).max(1440).optional(),
});
export type SettingsPatch = z.infer<typeof SettingsPatch>;

/** A Factory API address to inspect (its certificate is read, nothing is sent). */
export const ServerUrlInput = z.strictObject({ url: httpUrl });
export type ServerUrlInput = z.infer<typeof ServerUrlInput>;

/** The fingerprint the operator compared: `AB:CD:…`, `abcd…` or `sha256/…` (64 hex digits). */
export const ServerTrustInput = z.strictObject({
  url: httpUrl,
  fingerprint256: z
    .string()
    .max(120)
    .refine(
      (text) =>
        text
          .replace(/^sha-?256[/:=]?/i, '')
          .replace(/[\s:]/g, '')
          .match(/^[0-9a-f]{64}$/i) !== null,
      'a SHA-256 fingerprint: 64 hex digits, colons optional',
    ),
});
export type ServerTrustInput = z.infer<typeof ServerTrustInput>;

/** The locked screen: only the activation account's password. */
export const VaultUnlockInput = z.strictObject({
  // Secret: opens the machine key (and signs in when online); never kept, echoed or logged.
  password: z.string().min(1).max(1024),
});
export type VaultUnlockInput = z.infer<typeof VaultUnlockInput>;

/** What the save dialog proposes: a file name (no folder) and what is being saved. */
export const SavePathInput = z.strictObject({
  suggestedName: z
    .string()
    .min(1)
    .max(255)
    .regex(/^[^/\\\0]+$/, 'a file name without a folder'),
  purpose: z.enum(['resource', 'audit']),
});
export type SavePathInput = z.infer<typeof SavePathInput>;

export const ExternalUrlInput = z.strictObject({ url: httpUrl });
export type ExternalUrlInput = z.infer<typeof ExternalUrlInput>;

/**
 * Each argument field in words, as the forms label it: a refused value is named so
 * (`Address or CIDR: …`), never by its path in the payload. A field without an entry
 * is named by its key, split into words.
 */
export const fieldLabels: Readonly<Record<string, string>> = {
  email: 'Email',
  password: 'Password',
  label: 'Machine label',
  resourceId: 'Resource',
  jobId: 'Unlock job',
  path: 'Path',
  cidr: 'Address or CIDR',
  action: 'Action',
  expiresAt: 'Expires',
  note: 'Note',
  ruleId: 'Rule',
  serverUrl: 'Factory API address',
  url: 'Address',
  fingerprint256: 'Fingerprint',
  autoLockMinutes: 'Lock after idle minutes',
  strictHardware: 'Strict hardware binding',
  theme: 'Theme',
  suggestedName: 'File name',
  purpose: 'Purpose',
  from: 'From',
  to: 'To',
  type: 'Type',
  actor: 'Actor',
  search: 'Search',
  limit: 'Page size',
  offset: 'Offset',
  cursor: 'Cursor',
};
