/**
 * Dashboard slice (zustand): what the Status view charts besides the status itself —
 * the audit log's last half hour bucketed per minute (every append, sign-in failures,
 * unlocks) and the chain's last verification. Only these actions call the bridge; a
 * role that may not read the audit log gets the refusal, which the card explains.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
// The constants alone: audit-event.ts also builds zod schemas, which the first view does not need.
import { AuditEventType } from '../../../../shared/common/audit-constants.ts';
import type {
  AuditEntrySummary,
  AuditVerification,
  ConsoleBridge,
} from '../../../../shared/common/contract/bridge.ts';
import type { BridgeError } from '../../../../shared/common/contract/result.ts';

/** One minute of the audit log. */
export interface ActivityBucket {
  /** The minute's start (ISO). */
  at: string;
  appends: number;
  signInFailures: number;
  unlocks: number;
}

export interface DashboardState {
  activity: ActivityBucket[] | null;
  activityError: BridgeError | null;
  activityAt: string | null;
  verification: AuditVerification | null;
  verifiedAt: string | null;
  verifyError: BridgeError | null;
  verifying: boolean;
  loadActivity(bridge: ConsoleBridge, now?: number): Promise<void>;
  verifyChain(bridge: ConsoleBridge): Promise<void>;
}

/** Minutes the activity chart covers. */
export const activityMinutes = 30;
const pageSize = 500;
/** Pages read at most per refresh (a busy log shows its first 2 500 entries of the window). */
const maxPages = 5;

/** Counts `entries` per minute over the `minutes` before `now`, oldest first, empty minutes included. */
export function bucketPerMinute(
  entries: readonly AuditEntrySummary[],
  now: number,
  minutes: number,
): ActivityBucket[] {
  const end = Math.floor(now / 60_000) * 60_000;
  const start = end - (minutes - 1) * 60_000;
  const buckets: ActivityBucket[] = Array.from({ length: minutes }, (_, index) => ({
    at: new Date(start + index * 60_000).toISOString(),
    appends: 0,
    signInFailures: 0,
    unlocks: 0,
  }));
  for (const entry of entries) {
    const index = Math.floor((Date.parse(entry.at) - start) / 60_000);
    const bucket = buckets[index];
    if (!bucket) continue;
    bucket.appends += 1;
    if (entry.type === AuditEventType.LoginFailure || entry.type === AuditEventType.Lockout)
      bucket.signInFailures += 1;
    if (entry.type === AuditEventType.ResourceUnlock) bucket.unlocks += 1;
  }
  return buckets;
}

export function createDashboardStore(): StoreApi<DashboardState> {
  return createStore<DashboardState>((set) => ({
    activity: null,
    activityError: null,
    activityAt: null,
    verification: null,
    verifiedAt: null,
    verifyError: null,
    verifying: false,
    async loadActivity(bridge, now = Date.now()) {
      const from = new Date(now - activityMinutes * 60_000).toISOString();
      const entries: AuditEntrySummary[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < maxPages; page += 1) {
        const result = await bridge.audit.page({ limit: pageSize, from, ...(cursor ? { cursor } : {}) });
        if (!result.ok) {
          set({ activityError: result.error });
          return;
        }
        entries.push(...result.value.entries);
        if (!result.value.nextCursor || result.value.entries.length === 0) break;
        cursor = result.value.nextCursor;
      }
      set({
        activity: bucketPerMinute(entries, now, activityMinutes),
        activityError: null,
        activityAt: new Date(now).toISOString(),
      });
    },
    async verifyChain(bridge) {
      set({ verifying: true });
      const result = await bridge.audit.verify();
      set(
        result.ok
          ? {
              verifying: false,
              verification: result.value,
              verifiedAt: new Date().toISOString(),
              verifyError: null,
            }
          : { verifying: false, verifyError: result.error },
      );
    },
  }));
}
