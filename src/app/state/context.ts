import { createContext, useContext } from 'react';
import type { AppState } from './app-state.js';
import { useStore, type Store } from './store.js';

export const AppContext = createContext<Store<AppState> | null>(null);

export function useAppStore(): Store<AppState> {
  const s = useContext(AppContext);
  if (!s) throw new Error('AppContext missing');
  return s;
}

export function useAppState(): AppState {
  return useStore(useAppStore());
}
