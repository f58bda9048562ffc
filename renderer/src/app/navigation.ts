import { createContext, useContext } from 'react';

/** Opens another view by id (a dashboard card's link, an empty state's "Sign in"). */
export const NavigationContext = createContext<(viewId: string) => void>(() => undefined);

export function useNavigate(): (viewId: string) => void {
  return useContext(NavigationContext);
}
