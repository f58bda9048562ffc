import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import { createSessionStore, type SessionSlice } from './session.store.ts';

export const sessionStore: StoreApi<SessionSlice> = createSessionStore();

export function useSession<T>(selector: (state: SessionSlice) => T): T {
  return useStore(sessionStore, selector);
}
