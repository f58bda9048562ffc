import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import { createStepUpStore, type StepUpSlice } from './step-up.store.ts';

export const stepUpStore: StoreApi<StepUpSlice> = createStepUpStore();

export function useStepUp<T>(selector: (state: StepUpSlice) => T): T {
  return useStore(stepUpStore, selector);
}
