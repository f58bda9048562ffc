import { createContext, useContext } from 'react';

/** Where this page runs: the desktop app (native dialogs) or browser mode (path fields). */
export const ShellContext = createContext<'electron' | 'browser'>('browser');

export function useShell(): 'electron' | 'browser' {
  return useContext(ShellContext);
}
