import { proxy, type ProxyMarked, type Remote } from 'comlink';

/**
 * An AbortSignal in a form Comlink can pass to a worker: the worker subscribes once and is called back
 * when the caller's signal aborts (at once when it already has).
 */
export interface AbortHandle {
  subscribe(onAbort: () => void): void;
}

/** Caller side: a proxied handle over `signal`. */
export function abortHandleOf(signal: AbortSignal): AbortHandle & ProxyMarked {
  return proxy({
    subscribe(onAbort: () => void) {
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', () => onAbort(), { once: true });
    },
  });
}

/** Worker side: an AbortSignal that aborts when the caller's does. */
export async function signalOf(handle: Remote<AbortHandle>): Promise<AbortSignal> {
  const ac = new AbortController();
  await handle.subscribe(proxy(() => ac.abort()));
  return ac.signal;
}
