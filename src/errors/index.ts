/** Every failure deltascope reports carries a code, so the UI, the CLI and workers can act on it. */
export type ErrorCode =
  | 'input'
  | 'gpu-unavailable'
  | 'gpu-compile'
  | 'gpu-device-lost'
  | 'gpu-out-of-memory'
  | 'storage-quota'
  | 'cancelled'
  | 'internal';

export class DeltascopeError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
    this.name = 'DeltascopeError';
  }
}

/** Bad user input: names the file and what is wrong with it. The CLI maps it to exit status 2. */
export class InputError extends DeltascopeError {
  readonly file: string;
  readonly problem: string;
  constructor(file: string, problem: string) {
    super('input', `${file}: ${problem}`);
    this.file = file;
    this.problem = problem;
    this.name = 'InputError';
  }
}

export class GpuError extends DeltascopeError {
  constructor(code: 'gpu-unavailable' | 'gpu-compile' | 'gpu-out-of-memory', message: string) {
    super(code, message);
    this.name = 'GpuError';
  }
}

/** The device went away (driver reset, tab backgrounded, device.destroy()); finished work is kept. */
export class DeviceLostError extends DeltascopeError {
  readonly reason: string;
  constructor(reason: string, message: string) {
    super('gpu-device-lost', `GPU device lost (${reason}): ${message}`);
    this.reason = reason;
    this.name = 'DeviceLostError';
  }
}

export class CancelledError extends DeltascopeError {
  constructor(what = 'operation') {
    super('cancelled', `${what} cancelled`);
    this.name = 'CancelledError';
  }
}

export class QuotaError extends DeltascopeError {
  readonly neededBytes: number;
  constructor(neededBytes: number, message: string) {
    super('storage-quota', message);
    this.neededBytes = neededBytes;
    this.name = 'QuotaError';
  }
}

/** Throws CancelledError when the signal has fired; call between batches of long work. */
export function throwIfAborted(signal: AbortSignal | undefined, what?: string): void {
  if (signal?.aborted) throw new CancelledError(what);
}

/** Plain-data form of an error, for crossing a worker boundary (Comlink) and rebuilding there. */
export interface SerializedError {
  name: string;
  code: ErrorCode;
  message: string;
  file?: string;
  problem?: string;
  stack?: string;
}

export function serializeError(e: unknown): SerializedError {
  if (e instanceof InputError) return { name: e.name, code: e.code, message: e.message, file: e.file, problem: e.problem, stack: e.stack };
  if (e instanceof DeltascopeError) return { name: e.name, code: e.code, message: e.message, stack: e.stack };
  const err = e instanceof Error ? e : new Error(String(e));
  return { name: err.name, code: 'internal', message: err.message, stack: err.stack };
}

export function deserializeError(s: SerializedError): DeltascopeError {
  let e: DeltascopeError;
  if (s.code === 'input' && s.file !== undefined) e = new InputError(s.file, s.problem ?? s.message);
  else if (s.code === 'gpu-device-lost') e = new DeviceLostError('lost', s.message);
  else if (s.code === 'cancelled') e = new CancelledError();
  else e = new DeltascopeError(s.code, s.message);
  e.message = s.message;
  if (s.stack) e.stack = s.stack;
  return e;
}
export { installComlinkErrorHandler } from './comlink.js';
