/**
 * Resources slice (zustand): the resource list, running unlocks with their progress,
 * manifest verification results and the last export per resource. Passwords are
 * arguments, never state.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type {
  ConsoleBridge,
  ResourceExportResult,
  ResourceSummary,
  UnlockProgress,
} from '../../../../shared/common/contract/bridge.ts';
import type { BridgeError, Result, Unsubscribe } from '../../../../shared/common/contract/result.ts';

export interface ResourcesState {
  resources: ResourceSummary[] | null;
  error: BridgeError | null;
  /** The latest progress per resource id (one unlock per resource at a time). */
  progress: Record<string, UnlockProgress>;
  verified: Record<string, { valid: boolean; at: string }>;
  /** The outcome of the latest export per resource id (`busy` while it runs). */
  exports: Record<string, { busy: true } | { busy: false; outcome: Result<ResourceExportResult> }>;
  load(bridge: ConsoleBridge): Promise<void>;
  unlock(bridge: ConsoleBridge, resourceId: string, password: string): Promise<void>;
  cancel(bridge: ConsoleBridge, jobId: string): Promise<void>;
  verify(bridge: ConsoleBridge, resourceId: string): Promise<void>;
  /** `password` undefined: the unlocked vault's key is used (the main side refuses if it is locked). */
  exportTo(bridge: ConsoleBridge, resourceId: string, path: string, password?: string): Promise<void>;
  clearExport(resourceId: string): void;
  follow(bridge: ConsoleBridge): Unsubscribe;
}

/** The progress already heard for this job, else its start. */
function sameJob(heard: UnlockProgress | undefined, started: UnlockProgress): UnlockProgress {
  return heard?.jobId === started.jobId ? heard : started;
}

export function createResourcesStore(): StoreApi<ResourcesState> {
  return createStore<ResourcesState>((set, get) => ({
    resources: null,
    error: null,
    progress: {},
    verified: {},
    exports: {},
    async load(bridge) {
      const result = await bridge.resources.list();
      // A failed load leaves no stale list behind: the view says why instead.
      set(result.ok ? { resources: result.value, error: null } : { resources: null, error: result.error });
    },
    async unlock(bridge, resourceId, password) {
      // The outcome of an earlier unlock of this resource goes as this one starts.
      const { [resourceId]: _earlier, ...others } = get().progress;
      set({ error: null, progress: others });
      const result = await bridge.resources.unlock({ resourceId, password });
      if (!result.ok) {
        set({ error: result.error });
        return;
      }
      const started: UnlockProgress = {
        jobId: result.value.jobId,
        resourceId,
        phase: 'manifest',
        bytes: 0,
        totalBytes: 0,
        bytesPerSecond: 0,
        etaSeconds: null,
      };
      set({
        error: null,
        // This job's first event may have arrived before the call's answer.
        progress: { ...get().progress, [resourceId]: sameJob(get().progress[resourceId], started) },
      });
    },
    async cancel(bridge, jobId) {
      set({ error: null });
      const result = await bridge.resources.cancelUnlock({ jobId });
      if (!result.ok) set({ error: result.error });
    },
    async verify(bridge, resourceId) {
      set({ error: null });
      const result = await bridge.resources.verifyManifest({ resourceId });
      set(
        result.ok
          ? {
              error: null,
              verified: {
                ...get().verified,
                [resourceId]: { valid: result.value.valid, at: new Date().toISOString() },
              },
            }
          : { error: result.error },
      );
    },
    async exportTo(bridge, resourceId, path, password) {
      set({ exports: { ...get().exports, [resourceId]: { busy: true } } });
      const outcome = await bridge.resources.exportTo(
        password === undefined ? { resourceId, path } : { resourceId, path, password },
      );
      set({ exports: { ...get().exports, [resourceId]: { busy: false, outcome } } });
    },
    clearExport(resourceId) {
      const { [resourceId]: _dropped, ...rest } = get().exports;
      set({ exports: rest });
    },
    follow(bridge) {
      return bridge.resources.onUnlockProgress((update) => {
        set({ progress: { ...get().progress, [update.resourceId]: update } });
        if (update.phase === 'done') void get().load(bridge);
      });
    },
  }));
}
