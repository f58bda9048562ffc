/**
 * The one contract between the console's UI and its main side (STYLE.md "The
 * contract"). The renderer sees exactly this object as `window.bridge` (Electron) or
 * its HTTP twin (browser mode). Every call resolves to a {@link Result}; every push is
 * `onSomething(listener) → unsubscribe`. Argument types come from the zod schemas in
 * `inputs.ts`, so the type and the runtime check cannot drift apart.
 */
import type {
  ActivateInput,
  AuditExportInput,
  AuditPageInput,
  ExternalUrlInput,
  FirewallRuleInput,
  JobInput,
  LoginInput,
  ResourceExportInput,
  ResourceInput,
  RuleExpiryInput,
  RuleInput,
  SettingsPatch,
  UnlockInput,
} from './inputs.ts';
import type { Result, Unsubscribe } from './result.ts';

export type Call<T> = Promise<Result<T>>;
export type Listener<T> = (payload: T) => void;

/** Who is signed in, against which server. Never carries a token or password. */
export interface SessionState {
  signedIn: boolean;
  email: string | null;
  role: string | null;
  serverUrl: string | null;
}

/** One hardware component of the fingerprint: whether it was found, never its value. */
export interface MachineComponent {
  name: string;
  present: boolean;
}

/** What the Machine view shows. Serials stay on the main side. */
export interface MachineInfo {
  components: MachineComponent[];
  /** How many independent hardware components back the binding. */
  bindingStrength: number;
  activated: boolean;
  machineId: string | null;
  leaseValidUntil: string | null;
  /** The server this machine is activated with (null: not activated). */
  serverUrl: string | null;
  /** SHA-256 fingerprint of the pinned server TLS certificate (null: plain HTTP or not activated). Public. */
  serverCertificateFingerprint: string | null;
  /** Id of the pinned server signing key that manifests and leases must verify under. Public. */
  serverKeyId: string | null;
}

export interface ResourceSummary {
  id: string;
  name: string;
  size: number;
  state: 'locked' | 'unlocked' | 'offline';
}

export interface UnlockJob {
  jobId: string;
  resourceId: string;
}

/** Pushed while an unlock runs (bytes, rate, ETA). */
export interface UnlockProgress {
  jobId: string;
  resourceId: string;
  phase: 'manifest' | 'envelope' | 'download' | 'verify' | 'decrypt' | 'write' | 'done' | 'failed';
  bytes: number;
  totalBytes: number;
  bytesPerSecond: number;
  etaSeconds: number | null;
}

export interface AuditEntrySummary {
  seq: number;
  type: string;
  actor: string | null;
  at: string;
  hash: string;
  /** The entry's recorded details (never secrets: the server keeps them out), e.g. a handoff's from → to. */
  details?: Record<string, unknown>;
  resource?: string | null;
  prevHash?: string;
}

export interface AuditPage {
  entries: AuditEntrySummary[];
  nextCursor: string | null;
  /** How many entries match the filter, so the view can size itself and jump anywhere. */
  total: number | null;
}

export interface AuditVerification {
  intact: boolean;
  checked: number;
  firstBadSeq: number | null;
  /** Why the chain failed (a stable reason string), when it did. */
  reason?: string | null;
  message?: string | null;
  /** Size and signing time of the newest signed checkpoint, when there is one. */
  checkpointSize?: number | null;
  checkpointAt?: string | null;
}

/** The server-signed JSONL export, written by the main side to a local file. */
export interface ResourceExportResult {
  /** The absolute path written. */
  path: string;
  /** Plaintext bytes written (the signed manifest's size). */
  bytes: number;
  /** `reported`: the server audited the export now; `queued`: offline, sent with the next online unlock. */
  audit: 'reported' | 'queued';
}

export interface AuditExportResult {
  path: string;
  bytes: number;
  /** Entries in the file (the checkpoint trailer line not counted). */
  entries: number;
}

/** A recent refusal by the server's firewall or rate limiter. */
export interface FirewallBlock {
  ip: string;
  reason: string;
  ruleId: string | null;
  tier: string | null;
  count: number;
  firstAt: string;
  lastAt: string;
}

/** One sample of the server's refusal counters (from `/metrics`), per interval. */
export interface RefusalSample {
  at: string;
  /** 401 responses since the previous sample. */
  unauthorized: number;
  /** 429 responses since the previous sample. */
  rateLimited: number;
}

export interface FirewallRule {
  id: string;
  cidr: string;
  action: 'allow' | 'deny';
  expiresAt: string | null;
  note: string | null;
}

export interface RateLimitTier {
  name: string;
  limit: number;
  windowSeconds: number;
}

/** One line of the server's posture checklist, with a one-line fix when not ok. */
export interface PostureItem {
  id: string;
  ok: boolean;
  severity: 'info' | 'warning' | 'critical';
  detail: string;
  fix: string;
}

/** The Status view's data: where the console points and how that server is set up. */
export interface FactoryStatus {
  reachable: boolean;
  serverUrl: string | null;
  /** True when the console started its own local Factory API (the embedded default). */
  embedded: boolean;
  mode: 'demo' | 'production' | 'development' | 'unknown';
  /** Public demo (read-only) mode: the UI shows a banner. */
  publicDemo: boolean;
  debug: boolean;
  version: string | null;
  uptimeSeconds: number | null;
  tls: 'on' | 'off' | 'proxy' | null;
  posture: PostureItem[];
  checkedAt: string;
  /** Why the server could not be reached, when it could not. */
  problem: string | null;
}

export interface ConsoleSettings {
  serverUrl: string | null;
  theme: 'system' | 'light' | 'dark';
  strictHardware: boolean;
}

export interface AppInfo {
  name: string;
  version: string;
  shell: 'electron' | 'browser';
  /** The embedded factory's admin account name, shown so the operator can sign in. */
  embeddedAdminEmail: string | null;
}

export interface ConsoleBridge {
  session: {
    getState(): Call<SessionState>;
    login(input: LoginInput): Call<SessionState>;
    logout(): Call<SessionState>;
  };
  machine: {
    getInfo(): Call<MachineInfo>;
    activate(input: ActivateInput): Call<MachineInfo>;
    /**
     * Revokes this machine on the server through the signed-in session (frees its seat),
     * then deletes the machine key, the vault and the activation here, like the CLI's
     * `deactivate`. Answers the machine's state afterwards (not activated).
     */
    deactivate(): Call<MachineInfo>;
  };
  resources: {
    list(): Call<ResourceSummary[]>;
    unlock(input: UnlockInput): Call<UnlockJob>;
    /**
     * Decrypts a vault item into a new file at an absolute `path` (temp 0600 + rename;
     * an existing file is never overwritten). Works offline: the password opens the
     * machine key. Audited on the server, or queued until the next online unlock.
     */
    exportTo(input: ResourceExportInput): Call<ResourceExportResult>;
    cancelUnlock(input: JobInput): Call<{ cancelled: boolean }>;
    verifyManifest(input: ResourceInput): Call<{ valid: boolean }>;
    onUnlockProgress(listener: Listener<UnlockProgress>): Unsubscribe;
  };
  audit: {
    page(input: AuditPageInput): Call<AuditPage>;
    verify(): Call<AuditVerification>;
    /** Writes the server-signed JSONL export to `path` on this machine. */
    exportTo(input: AuditExportInput): Call<AuditExportResult>;
    /** Verifies a local JSONL export offline (the CLI's verifier); reports the first bad entry. */
    verifyFile(input: AuditExportInput): Call<AuditVerification>;
    onEntry(listener: Listener<AuditEntrySummary>): Unsubscribe;
  };
  firewall: {
    listRules(): Call<FirewallRule[]>;
    addRule(input: FirewallRuleInput): Call<FirewallRule>;
    /** Changes only a rule's expiry (`null`: never expires); the server audits it. */
    updateRule(input: RuleExpiryInput): Call<FirewallRule>;
    deleteRule(input: RuleInput): Call<{ deleted: boolean }>;
    rateLimits(): Call<RateLimitTier[]>;
    /** Recent refusals (deny rules, default deny, rate limits). */
    blocks(): Call<FirewallBlock[]>;
    /** 401/429 counts over the last minutes, sampled from `/metrics` every few seconds. */
    refusals(): Call<RefusalSample[]>;
  };
  status: {
    get(): Call<FactoryStatus>;
    onChange(listener: Listener<FactoryStatus>): Unsubscribe;
  };
  settings: {
    get(): Call<ConsoleSettings>;
    update(patch: SettingsPatch): Call<ConsoleSettings>;
  };
  app: {
    info(): Call<AppInfo>;
    openExternal(input: ExternalUrlInput): Call<{ opened: boolean }>;
  };
}

export type BridgeDomain = keyof ConsoleBridge;
