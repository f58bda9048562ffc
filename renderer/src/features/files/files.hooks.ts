import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import { createFilesStore, type FilesState } from './files.store.ts';

export const filesStore: StoreApi<FilesState> = createFilesStore();

export function useFiles<T>(selector: (state: FilesState) => T): T {
  return useStore(filesStore, selector);
}
