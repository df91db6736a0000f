/** Which long-running stage a progress report belongs to. */
export type Stage = 'load' | 'tokenize' | 'extract' | 'train' | 'evaluate' | 'compare' | 'export';

/** One progress report; the single type every long call sends (about 10 per second at most). */
export interface Progress {
  stage: Stage;
  /** Units finished so far (tokens for extraction, steps for training). */
  done: number;
  total: number;
  /** Units per second since the stage (re)started in this session. */
  perSecond: number;
  /** Seconds left at the current rate; null until a rate is known. */
  etaSeconds: number | null;
}

export type ProgressCallback = (p: Progress) => void;

export interface ProgressReporter {
  /** Records `done` units and calls back when the last report is at least `minIntervalMs` old. */
  update(done: number): void;
  /** Always reports the final state. */
  finish(done?: number): void;
}

/**
 * A throttled reporter. `startDone` is the work already finished before this session (a resumed run),
 * which counts toward `done` but not toward the rate.
 */
export function progressReporter(
  stage: Stage,
  total: number,
  onProgress: ProgressCallback | undefined,
  { startDone = 0, minIntervalMs = 100, now = () => performance.now() }: { startDone?: number; minIntervalMs?: number; now?: () => number } = {},
): ProgressReporter {
  const t0 = now();
  let last = -Infinity;
  let current = startDone;
  const emit = (): void => {
    const elapsedS = (now() - t0) / 1000;
    const perSecond = elapsedS > 0 ? (current - startDone) / elapsedS : 0;
    const etaSeconds = perSecond > 0 ? Math.max(0, (total - current) / perSecond) : null;
    onProgress?.({ stage, done: current, total, perSecond, etaSeconds });
  };
  return {
    update(done: number) {
      current = done;
      const t = now();
      if (t - last < minIntervalMs) return;
      last = t;
      emit();
    },
    finish(done = current) {
      current = done;
      last = now();
      emit();
    },
  };
}
