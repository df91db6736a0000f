import { transferHandlers, type TransferHandler } from 'comlink';
import { deserializeError, serializeError, type SerializedError } from './index.js';

/** What Comlink hands its 'throw' handler: the thrown value, wrapped with its private marker. */
interface Thrown {
  value: unknown;
}

let installed = false;

/**
 * Comlink's own 'throw' handler keeps only name, message and stack, so an InputError arrives as a plain
 * Error without `code`, `file` or `problem`. This replaces it with one that sends serializeError()'s plain
 * data and rebuilds the DeltascopeError with deserializeError(). Call it on both sides (worker and main
 * thread) before the first call crosses; calling again does nothing.
 */
export function installComlinkErrorHandler(): void {
  if (installed) return;
  const original = transferHandlers.get('throw');
  if (!original) throw new Error("comlink has no 'throw' transfer handler to replace");
  const handler: TransferHandler<Thrown, SerializedError> = {
    // Comlink marks thrown values with a private symbol; its own check is the only way to recognise them.
    canHandle: (value: unknown): value is Thrown => original.canHandle(value),
    serialize: (thrown) => [serializeError(thrown.value), []],
    deserialize: (s) => {
      throw deserializeError(s);
    },
  };
  transferHandlers.set('throw', handler as TransferHandler<unknown, unknown>);
  installed = true;
}
