/**
 * One zod schema per call's argument list, keyed like the channel registry and
 * checked against {@link ConsoleBridge} with `satisfies`: a call without a schema, or
 * a schema whose output is not the call's parameter list, fails to compile. Tuples
 * reject extra arguments; the objects inside are strict (see `inputs.ts`).
 */
import { z } from 'zod';
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
} from './inputs.ts';

type ParametersOf<F> = F extends (...args: infer A) => unknown ? A : never;

export type ArgumentSchemas<B> = {
  readonly [D in keyof B]: { readonly [M in InvokeMembers<B[D]>]: z.ZodType<ParametersOf<B[D][M]>> };
};

const none = z.tuple([]);

export const argumentSchemas = {
  server: { inspect: z.tuple([ServerUrlInput]), trust: z.tuple([ServerTrustInput]) },
  vault: { getState: none, unlock: z.tuple([VaultUnlockInput]), lock: none },
  session: { getState: none, login: z.tuple([LoginInput]), logout: none },
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
