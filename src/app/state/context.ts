import { createContext, useContext } from 'react';
import type { AppState } from './app-state.js';
import { useStoreSelector, type Store } from './store.js';

export const AppContext = createContext<Store<AppState> | null>(null);

export function useAppStore(): Store<AppState> {
  const s = useContext(AppContext);
  if (!s) throw new Error('AppContext missing');
  return s;
}

/** What `select` picks from the app state (a module-level function, so its identity is stable). */
export function useAppSelector<T>(select: (s: AppState) => T): T {
  return useStoreSelector(useAppStore(), select);
}

/** Everything the setup reads: the state without the run's progress and results, which change many times a second. */
export type SetupState = Omit<AppState, 'run' | 'metrics'> & { running: boolean };

function selectSetup(s: AppState): SetupState {
  const { run, metrics: _metrics, ...rest } = s;
  return { ...rest, running: run.status === 'running' };
}

export function useSetupState(): SetupState {
  return useAppSelector(selectSetup);
}
