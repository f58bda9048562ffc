/**
 * The one contract between the console's UI and its main side (docs/ARCHITECTURE.md
 * §The IPC contract). The renderer sees exactly this object as `window.bridge` (Electron) or
 * its HTTP twin (browser mode). Every call resolves to a {@link Result}; every push is
 * `onSomething(listener) → unsubscribe`. Argument types come from the zod schemas in
 * `inputs.ts`, so the type and the runtime check cannot drift apart.
 */
import type {
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
  SavePathInput,
  ServerTrustInput,
  ServerUrlInput,
  SettingsPatch,
  UnlockInput,
  VaultUnlockInput,
} from './inputs.ts';
import type {
  FactorInput,
  PasskeyInput,
  PasskeyRegisterInput,
  PasskeyRenameInput,
  ReauthInput,
  SessionInput,
  TotpCodeInput,
} from './account-inputs.ts';
import type { BridgeError, Result, Unsubscribe } from './result.ts';

export type Call<T> = Promise<Result<T>>;
export type Listener<T> = (payload: T) => void;

/** Who is signed in, against which server. Never carries a token or password. */
export interface SessionState {
  signedIn: boolean;
  email: string | null;
  role: string | null;
  serverUrl: string | null;
  /**
   * Present while a sign-in waits for its second factor: the password was right and the
   * server asked for one of these. The sign-in's single-use token stays on the main side.
   */
  secondFactor?: PendingSecondFactor;
}

export type SecondFactorMethod = 'totp' | 'webauthn' | 'recovery';

export interface PendingSecondFactor {
  methods: SecondFactorMethod[];
}

/** How the signed-in account can confirm it is itself again (step-up). */
export type StepUpMethod = 'password' | SecondFactorMethod;

/**
 * WebAuthn options for `navigator.credentials` (through `@simplewebauthn/browser`): public
 * values (a challenge, the relying party, credential ids). The token that binds the
 * challenge stays on the main side.
 */
export interface WebAuthnRequest {
  options: Record<string, unknown>;
}

export interface PasskeySummary {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

/** One of the signed-in account's API keys: its public prefix, never the key. */
export interface ApiKeySummary {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: string;
  /** Null: the key does not expire. */
  expiresAt: string | null;
  lastUsedAt: string | null;
}

/** One of the signed-in account's live sessions: when and how it signed in, never a token. */
export interface SessionSummary {
  id: string;
  /** How it signed in (`password`, `sso`, …). */
  via: string;
  createdAt: string;
  /** When it last signed in or refreshed. */
  lastUsedAt: string;
  expiresAt: string;
  /** The console's own session. */
  current: boolean;
}

/** The Account view: the signed-in account's factors and API keys. No secrets. */
export interface AccountOverview {
  email: string;
  role: string;
  totp: boolean;
  passkeys: PasskeySummary[];
  recoveryCodesLeft: number;
  /** The account's role must keep a second factor (the last one cannot be removed). */
  required: boolean;
  /** The server is configured for passkeys. */
  webauthnAvailable: boolean;
  /** Null: this role may not read API keys. */
  apiKeys: ApiKeySummary[] | null;
  stepUpMethods: StepUpMethod[];
}

/**
 * A TOTP enrolment: the secret as text and as an `otpauth://` URL for the QR code. Secret:
 * it crosses IPC once, to be shown once; never stored or logged on either side.
 */
export interface TotpEnrolment {
  secret: string;
  otpauthUrl: string;
}

/** Ten single-use recovery codes. Secret: shown once, then only their hashes exist (on the server). */
export interface RecoveryCodes {
  recoveryCodes: string[];
}

export interface PasskeyRegistration {
  passkey: PasskeySummary;
  /** The account's first factor also gets recovery codes (shown once); otherwise null. */
  recoveryCodes: string[] | null;
}

/**
 * A server's TLS identity as the console sees it, read without sending the server
 * anything (trust on first use, docs/OPERATOR.md §Using the console). Public values only.
 */
export interface ServerIdentity {
  /** The origin inspected, e.g. `https://factory.example.com:8443`. */
  origin: string;
  /**
   * `plain_http`: no certificate to pin (acceptable on loopback only); `trusted`: the
   * presented certificate is the pinned one; `new`: never confirmed on this console;
   * `changed`: the server presents a different certificate than the pinned one.
   */
  trust: 'plain_http' | 'trusted' | 'new' | 'changed';
  /** SHA-256 of the certificate presented now (`AB:CD:…`); null over plain http. */
  presented: string | null;
  /** The fingerprint this console pinned for the origin, if any. */
  pinned: string | null;
  /** The certificate's subject and expiry, to help compare with what the administrator said. */
  subject: string | null;
  validTo: string | null;
}

/**
 * The offline vault's lock (docs/ARCHITECTURE.md §The offline vault): while unlocked, the main side holds this
 * machine's opened key in memory until the idle time runs out or the operator locks.
 */
export interface VaultState {
  /** False: nothing to unlock (activate first). */
  activated: boolean;
  locked: boolean;
  /** The activation's account; the locked screen asks only for its password. */
  email: string | null;
  /** The server the machine is activated with. */
  serverUrl: string | null;
  machineLabel: string | null;
  /** Items in the vault, usable offline while their leases run. */
  items: number;
  /** When the unlocked vault locks itself unless used again (null while locked). */
  locksAt: string | null;
}

/** How a server signs people in: the sign-in view offers "Sign in with SSO" when `sso`. */
export interface SignInMethods {
  password: boolean;
  sso: boolean;
}

/** A started single sign-on: where the browser goes, and whether the main side already opened it. */
export interface SsoStart {
  authorizationUrl: string;
  opened: boolean;
}

/** The outcome of the locked screen: the vault, and whether the same password also signed in. */
export interface VaultUnlockResult {
  vault: VaultState;
  /** Signed in to the activation's server too (false: offline or another server is selected). */
  session: SessionState;
}

/** One component of the fingerprint: whether it was found, and its masked display form. */
export interface MachineComponent {
  name: string;
  present: boolean;
  /**
   * What the operator may see (the CLI's `fingerprint` shows the same): models and sizes
   * as they are, serials and ids masked to their last four characters (`****a1b2`).
   * Never the value itself; null when not found.
   */
  display: string | null;
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
  version: string;
  size: number;
  /** `locked`: on the server only; `unlocked`: in the vault and listed by the server; `offline`: in the vault only. */
  state: 'locked' | 'unlocked' | 'offline';
  /** When the vault copy's signed lease ends (null: not in the vault). The view shows the days left. */
  leaseValidUntil: string | null;
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
  /**
   * Why it failed (only with phase `failed`): a registry code and a sentence safe to
   * show (never a password, token or key), so the view can say why and what to do.
   */
  error?: BridgeError;
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

/** Whether one entry is in the signed Merkle tree, by an inclusion proof the main side checked. */
export interface AuditInclusion {
  seq: number;
  included: boolean;
  /** The size of the signed tree the proof is against (null when no checkpoint verified). */
  treeSize: number | null;
  /** Why it is not proven (a stable reason string), when it is not. */
  reason: string | null;
  message: string | null;
}

/**
 * Whether the log only grew since the checkpoint this console remembers, by a consistency proof
 * the main side checked (the remembered checkpoint advances only when it holds).
 */
export interface AuditConsistency {
  ok: boolean;
  /** `first`: nothing was remembered yet (now it is); `same`: no new entries; `grew`: proven. */
  relation: 'first' | 'same' | 'grew' | null;
  /** Remembered size (seq A) and newest signed size (seq B). */
  from: number;
  to: number;
  /** The first entry that cannot be what was seen before, on a failure. */
  firstBadSeq: number | null;
  reason: string | null;
  message: string | null;
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
  /** Minutes an unlocked vault stays unlocked without use (1–1440). */
  autoLockMinutes: number;
}

export interface AppInfo {
  name: string;
  version: string;
  shell: 'electron' | 'browser';
  /** The embedded factory's admin account name, shown so the operator can sign in. */
  embeddedAdminEmail: string | null;
}

export interface ConsoleBridge {
  server: {
    /** Reads the server's certificate without sending it anything; says whether it is pinned. */
    inspect(input: ServerUrlInput): Call<ServerIdentity>;
    /**
     * Pins the server's certificate after the operator compared its fingerprint: refused
     * (nothing stored) unless the server presents exactly `fingerprint256` right now.
     * An https server must be trusted before it can be selected in settings.
     */
    trust(input: ServerTrustInput): Call<ServerIdentity>;
  };
  vault: {
    getState(): Call<VaultState>;
    /**
     * Opens this machine's key with the activation account's password, offline (the
     * hardware must still match). If the console is connected to the activation's
     * server and it answers, the same password also signs in; otherwise the vault is
     * usable offline. The password is never kept; the opened key stays on the main side.
     */
    unlock(input: VaultUnlockInput): Call<VaultUnlockResult>;
    /** Forgets the opened key now. */
    lock(): Call<VaultState>;
    /** Pushed when the vault locks itself (idle) or is locked, unlocked, activated or deactivated. */
    onChange(listener: Listener<VaultState>): Unsubscribe;
  };
  session: {
    getState(): Call<SessionState>;
    login(input: LoginInput): Call<SessionState>;
    logout(): Call<SessionState>;
    /** The factor step of a pending sign-in (TOTP code, recovery code or passkey assertion). */
    verifyFactor(input: FactorInput): Call<SessionState>;
    /** Passkey options for the pending sign-in. */
    factorOptions(): Call<WebAuthnRequest>;
    /** Abandons the pending sign-in (back to the password). */
    cancelFactor(): Call<SessionState>;
    /**
     * Starts single sign-on (docs/IDENTITY.md): the main side listens on loopback and, on the
     * desktop, opens the provider in the system browser; `opened: false` (browser mode) asks
     * the view to open `authorizationUrl` in a new tab. The console never sees the provider's password.
     */
    /** How the selected server signs people in (`GET /api/v1/auth/methods`); all false when it cannot be asked. */
    signInMethods(): Call<SignInMethods>;
    startSso(): Call<SsoStart>;
    /** Waits for the browser to come back from the provider and signs in (the started sign-on's outcome). */
    completeSso(): Call<SessionState>;
    /**
     * Pushed when the session changes on the main side: signed in or out, the token
     * could not be renewed (the server ended the session), or the server changed.
     */
    onChange(listener: Listener<SessionState>): Unsubscribe;
  };
  /** The signed-in account: second factors, API keys, step-up (docs/IDENTITY.md). */
  account: {
    overview(): Call<AccountOverview>;
    /** How this account can step up now (password, or its factors). */
    stepUpMethods(): Call<StepUpMethod[]>;
    /** Passkey options for a step-up. */
    reauthOptions(): Call<WebAuthnRequest>;
    /** Proves it is the account holder again; sensitive actions then work for a few minutes. */
    reauth(input: ReauthInput): Call<{ validUntil: string }>;
    startTotp(): Call<TotpEnrolment>;
    confirmTotp(input: TotpCodeInput): Call<RecoveryCodes>;
    /** Needs a TOTP or recovery code. */
    disableTotp(input: TotpCodeInput): Call<{ disabled: boolean }>;
    /** Replaces the recovery codes (the old ones stop working). */
    newRecoveryCodes(): Call<RecoveryCodes>;
    passkeyOptions(): Call<WebAuthnRequest>;
    registerPasskey(input: PasskeyRegisterInput): Call<PasskeyRegistration>;
    renamePasskey(input: PasskeyRenameInput): Call<PasskeySummary[]>;
    removePasskey(input: PasskeyInput): Call<PasskeySummary[]>;
    /** The account's live sessions, newest first, the current one marked. */
    sessions(): Call<SessionSummary[]>;
    /** Ends one of the account's own sessions (its tokens stop working). */
    revokeSession(input: SessionInput): Call<{ revoked: boolean }>;
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
     * machine key, or, without a password, the unlocked vault's key does. Audited on
     * the server, or queued until the next online unlock.
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
    /** Verifies an entry's inclusion proof against the newest signed checkpoint (main side). */
    inclusion(input: AuditInclusionInput): Call<AuditInclusion>;
    /**
     * Verifies a consistency proof from the checkpoint this console remembers to the newest
     * signed one, then remembers the newest (the first call pins the log's key).
     */
    consistency(): Call<AuditConsistency>;
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
    /**
     * The desktop app's native save dialog; `path` is null when the operator cancelled.
     * Browser mode has none (`unavailable`): the views offer a path field there. The
     * chosen path is still checked by the call that writes to it.
     */
    chooseSavePath(input: SavePathInput): Call<{ path: string | null }>;
  };
}

export type BridgeDomain = keyof ConsoleBridge;
