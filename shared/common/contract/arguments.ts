/**
 * One zod schema per call's argument list, keyed like the channel registry and
 * checked against {@link ConsoleBridge} with `satisfies`: a call without a schema, or
 * a schema whose output is not the call's parameter list, fails to compile. Tuples
 * reject extra arguments; the objects inside are strict (see `inputs.ts`).
 */
import { z } from 'zod';
import {
  FactorInput,
  PasskeyInput,
  PasskeyRegisterInput,
  PasskeyRenameInput,
  ReauthInput,
  SessionInput,
  TotpCodeInput,
} from './account-inputs.ts';
import type { ConsoleBridge } from './bridge.ts';
import type { InvokeMembers } from './channels.ts';
import {
  ActivateInput,
  AuditExportInput,
  AuditInclusionInput,
  AuditPageInput,
  ExternalUrlInput,
  FirewallRuleInput,
  JobInput,
  LoginInput,
  ResourceExportInput,
  ResourceInput,
  RuleExpiryInput,
  RuleInput,
  ServerTrustInput,
  ServerUrlInput,
  SavePathInput,
  SettingsPatch,
  UnlockInput,
  VaultUnlockInput,
  fieldLabels,
} from './inputs.ts';

type ParametersOf<F> = F extends (...args: infer A) => unknown ? A : never;

export type ArgumentSchemas<B> = {
  readonly [D in keyof B]: { readonly [M in InvokeMembers<B[D]>]: z.ZodType<ParametersOf<B[D][M]>> };
};

const none = z.tuple([]);

export const argumentSchemas = {
  server: { inspect: z.tuple([ServerUrlInput]), trust: z.tuple([ServerTrustInput]) },
  vault: { getState: none, unlock: z.tuple([VaultUnlockInput]), lock: none },
  session: {
    getState: none,
    login: z.tuple([LoginInput]),
    logout: none,
    signInMethods: none,
    startSso: none,
    completeSso: none,
    verifyFactor: z.tuple([FactorInput]),
    factorOptions: none,
    cancelFactor: none,
  },
  account: {
    overview: none,
    stepUpMethods: none,
    reauthOptions: none,
    reauth: z.tuple([ReauthInput]),
    startTotp: none,
    confirmTotp: z.tuple([TotpCodeInput]),
    disableTotp: z.tuple([TotpCodeInput]),
    newRecoveryCodes: none,
    passkeyOptions: none,
    registerPasskey: z.tuple([PasskeyRegisterInput]),
    renamePasskey: z.tuple([PasskeyRenameInput]),
    removePasskey: z.tuple([PasskeyInput]),
    sessions: none,
    revokeSession: z.tuple([SessionInput]),
  },
  machine: { getInfo: none, activate: z.tuple([ActivateInput]), deactivate: none },
  resources: {
    list: none,
    unlock: z.tuple([UnlockInput]),
    exportTo: z.tuple([ResourceExportInput]),
    cancelUnlock: z.tuple([JobInput]),
    verifyManifest: z.tuple([ResourceInput]),
  },
  audit: {
    page: z.tuple([AuditPageInput]),
    verify: none,
    exportTo: z.tuple([AuditExportInput]),
    verifyFile: z.tuple([AuditExportInput]),
    inclusion: z.tuple([AuditInclusionInput]),
    consistency: none,
  },
  firewall: {
    listRules: none,
    addRule: z.tuple([FirewallRuleInput]),
    updateRule: z.tuple([RuleExpiryInput]),
    deleteRule: z.tuple([RuleInput]),
    rateLimits: none,
    blocks: none,
    refusals: none,
  },
  status: { get: none },
  settings: { get: none, update: z.tuple([SettingsPatch]) },
  app: { info: none, openExternal: z.tuple([ExternalUrlInput]), chooseSavePath: z.tuple([SavePathInput]) },
} as const satisfies ArgumentSchemas<ConsoleBridge>;

/** The argument schema of a wire channel (`domain.member`), if it is a call. */
export function argumentSchemaOf(channel: string): z.ZodType<unknown[]> | undefined {
  const [domain, member, ...rest] = channel.split('.');
  if (domain === undefined || member === undefined || rest.length > 0) return undefined;
  if (!Object.hasOwn(argumentSchemas, domain)) return undefined;
  const members = argumentSchemas[domain as keyof typeof argumentSchemas] as Record<
    string,
    z.ZodType<unknown[]>
  >;
  return Object.hasOwn(members, member) ? members[member] : undefined;
}

/** zod's own English messages start so; a schema's own message (`'an identifier of …'`) does not. */
const zodWording = /^(Invalid|Too (small|big)|Unrecognized)/;

function words(key: string): string {
  const spaced = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

function unitOf(origin: unknown, count: number | bigint): string {
  if (origin === 'string') return count === 1 ? ' character' : ' characters';
  if (origin === 'array' || origin === 'set') return count === 1 ? ' item' : ' items';
  return '';
}

/** What is wrong with the value, in words, without quoting it (it may be a secret). */
function detailOf(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return 'has a field that does not belong here';
  if (!zodWording.test(issue.message)) {
    return /^(must|is|has) /.test(issue.message) ? issue.message : `must be ${issue.message}`;
  }
  switch (issue.code) {
    case 'invalid_type':
      return /received undefined$/.test(issue.message) ? 'is required' : `must be a ${issue.expected}`;
    case 'too_small':
      return issue.origin === 'string' && Number(issue.minimum) === 1
        ? 'must not be empty'
        : `must be at least ${issue.minimum}${unitOf(issue.origin, issue.minimum)}`;
    case 'too_big':
      return `must be at most ${issue.maximum}${unitOf(issue.origin, issue.maximum)}`;
    case 'invalid_format':
      return issue.format === 'datetime'
        ? 'must be a date and time with its offset (ISO 8601)'
        : issue.format === 'url'
          ? 'must be an http or https address'
          : `must be a valid ${issue.format}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}`;
    default:
      return 'is not valid';
  }
}

/**
 * A refused argument list as one sentence an operator can act on: the field named in
 * words (`fieldLabels`) and what it must be, e.g. `Address or CIDR: must be an IPv4 or
 * IPv6 address, or a CIDR range such as 203.0.113.0/24.`; plus the field's key for the
 * form to mark. Never quotes the refused value or an unknown key (renderer input).
 */
export function describeArgumentError(error: z.ZodError): { message: string; field?: string } {
  const issue = error.issues[0];
  if (!issue) return { message: 'The values were refused.' };
  const keys = issue.path.filter((part): part is string => typeof part === 'string');
  const field = keys.at(-1);
  const name = field === undefined ? 'The values' : (fieldLabels[field] ?? words(field));
  const message = `${name}: ${detailOf(issue)}.`;
  return field === undefined ? { message } : { message, field };
}
