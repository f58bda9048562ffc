import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import { createResourcesStore, type ResourcesState } from './resources.store.ts';

export const resourcesStore: StoreApi<ResourcesState> = createResourcesStore();

export function useResources<T>(selector: (state: ResourcesState) => T): T {
  return useStore(resourcesStore, selector);
}
