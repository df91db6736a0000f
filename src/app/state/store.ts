import { useCallback, useRef, useSyncExternalStore } from 'react';

/** A minimal external store: the app's state lives outside React so pipeline callbacks can update it. */
export class Store<S> {
  private state: S;
  private readonly listeners = new Set<() => void>();

  constructor(initial: S) {
    this.state = initial;
  }

  get = (): S => this.state;

  set(update: Partial<S> | ((s: S) => Partial<S>)): void {
    const patch = typeof update === 'function' ? update(this.state) : update;
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
}

/** Objects with the same keys and identical (Object.is) values. */
export function shallowEqual<T>(a: T, b: T): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const ka = Object.keys(a) as (keyof T)[];
  return ka.length === Object.keys(b).length && ka.every((k) => Object.is(a[k], b[k]));
}

/**
 * The part of the state that `select` picks; the component renders again only when that part changes
 * (shallowly), so a progress tick of a running pipeline does not redraw the setup or the panels.
 */
export function useStoreSelector<S, T>(store: Store<S>, select: (s: S) => T): T {
  const last = useRef<{ state: S; value: T } | null>(null);
  const snapshot = useCallback(() => {
    const state = store.get();
    const prev = last.current;
    if (prev && prev.state === state) return prev.value;
    const value = select(state);
    last.current = { state, value: prev && shallowEqual(prev.value, value) ? prev.value : value };
    return last.current.value;
  }, [store, select]);
  return useSyncExternalStore(store.subscribe, snapshot, snapshot);
}
