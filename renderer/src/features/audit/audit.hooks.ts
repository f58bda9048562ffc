import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import { createAuditStore, type AuditState } from './audit.store.ts';

/** The page's audit store. Views take a store prop so tests can give their own. */
export const auditStore: StoreApi<AuditState> = createAuditStore();

/** Reads from an audit store with a selector (re-renders only when the slice changes). */
export function useAudit<T>(store: StoreApi<AuditState>, selector: (state: AuditState) => T): T {
  return useStore(store, selector);
}
