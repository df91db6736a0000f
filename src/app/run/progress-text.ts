import type { Progress } from '../../progress/index.js';

const UNITS: Record<string, string> = { load: 'tensors', extract: 'tokens', train: 'steps', evaluate: 'items' };

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '–';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
}

/** "1,234 / 8,192 tokens · 512 tokens/s · ETA 14 s" */
export function progressText(p: Progress): string {
  const unit = UNITS[p.stage] ?? 'items';
  const rate = p.perSecond > 0 ? ` · ${p.perSecond >= 100 ? Math.round(p.perSecond).toLocaleString('en') : p.perSecond.toFixed(1)} ${unit}/s` : '';
  const eta = p.etaSeconds !== null && p.done < p.total ? ` · ETA ${formatDuration(p.etaSeconds)}` : '';
  return `${p.done.toLocaleString('en')} / ${p.total.toLocaleString('en')} ${unit}${rate}${eta}`;
}

export function fraction(p: Progress | null): number {
  return p && p.total > 0 ? Math.min(1, p.done / p.total) : 0;
}
