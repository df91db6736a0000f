import { format } from 'd3';
import type { ResultMetrics } from '../../formats/index.js';
import { adapterOrder, adapterRank } from '../charts/panel-data.js';

/**
 * A plain-language reading of finished results: one sentence per panel family, every number taken from the
 * metrics (nothing here knows what the demo "should" show). A sentence whose numbers are missing is left out.
 */
export interface ReadingLine {
  key: 'delta-norms' | 'reconstruction' | 'sparsity' | 'alignment' | 'cka';
  text: string;
}

const f3 = format('.3~g');
const pct = format('.0%');

interface Cell {
  layer: number;
  adapter: string;
  value: number;
}

/** "grows", "shrinks" or "does not change monotonically" along `values` (two values that are equal do not break a trend). */
export function trend(values: number[]): 'grows' | 'shrinks' | 'is flat' | 'does not change monotonically' {
  if (values.length < 2) return 'does not change monotonically';
  const steps = values.slice(1).map((v, i) => v - values[i]);
  if (steps.every((s) => s === 0)) return 'is flat';
  if (steps.every((s) => s >= 0)) return 'grows';
  if (steps.every((s) => s <= 0)) return 'shrinks';
  return 'does not change monotonically';
}

/** "a–b", or just "a" when both ends print the same. */
function span(values: number[], fmt: (v: number) => string): string {
  const lo = fmt(Math.min(...values));
  const hi = fmt(Math.max(...values));
  return lo === hi ? lo : `${lo}–${hi}`;
}

const label = (c: Cell) => `layer ${c.layer}, ${c.adapter}`;

function extremes(cells: Cell[]): { lo: Cell; hi: Cell } {
  const sorted = [...cells].sort((a, b) => a.value - b.value);
  return { lo: sorted[0], hi: sorted[sorted.length - 1] };
}

/** How `cells` move with rank at each layer and with depth for each adapter, as one clause. */
function movement(m: ResultMetrics, cells: Cell[]): string {
  const adapters = adapterOrder(m).filter((a) => adapterRank(m, a) !== null && cells.some((c) => c.adapter === a));
  const layers = [...new Set(cells.map((c) => c.layer))].sort((a, b) => a - b);
  const at = (layer: number, adapter: string) => cells.find((c) => c.layer === layer && c.adapter === adapter)?.value;
  const byRank = layers.map((l) => ({ l, t: trend(adapters.map((a) => at(l, a)).filter((v): v is number => v !== undefined)) }));
  const rank = new Set(byRank.map((x) => x.t)).size === 1 ? `${byRank[0].t} with rank at ${layers.length === 1 ? `layer ${layers[0]}` : 'every layer'}` : byRank.map((x) => `${x.t} with rank at layer ${x.l}`).join(', ');
  if (layers.length < 2) return rank;
  const byDepth = adapters.map((a) => trend(layers.map((l) => at(l, a)).filter((v): v is number => v !== undefined)));
  const depth = new Set(byDepth).size === 1 ? `${byDepth[0]} with depth for every adapter` : `${byDepth.filter((t) => t === 'grows').length} of ${adapters.length} adapters grow with depth`;
  return `${rank}, and ${depth}`;
}

function deltaNorms(m: ResultMetrics): ReadingLine | null {
  const cells = m.deltaNorms.map((d) => ({ layer: d.layer, adapter: d.adapter, value: d.meanDeltaNorm }));
  if (!cells.length) return null;
  const { lo, hi } = extremes(cells);
  const rel = m.deltaNorms.map((d) => d.meanDeltaNorm / d.meanBaseNorm);
  return {
    key: 'delta-norms',
    text: `Each adapter moves the residual stream by ${f3(lo.value)} (${label(lo)}) to ${f3(hi.value)} (${label(hi)}) per token, ${span(rel, pct)} of the base model's norm; it ${movement(m, cells)}.`,
  };
}

function reconstruction(m: ResultMetrics): ReadingLine | null {
  if (!m.reconstruction.length) return null;
  const own = m.reconstruction.map((r) => r.deltaSae.fvu);
  const direct = m.reconstruction.flatMap((r) => (r.pretrainedDirect ? [r.pretrainedDirect.fvu] : []));
  const mine = `The delta SAEs leave ${span(own, pct)} of the held-out delta's variance unexplained`;
  return {
    key: 'reconstruction',
    text: direct.length ? `${mine}; the pretrained dictionary, applied to the deltas directly, leaves ${span(direct, pct)}.` : `${mine}.`,
  };
}

function sparsity(m: ResultMetrics): ReadingLine | null {
  const cells = m.reconstruction.map((r) => ({ layer: r.layer, adapter: r.adapter, value: r.deltaSae.meanL0 }));
  if (!cells.length) return null;
  const { lo, hi } = extremes(cells);
  const width = m.reconstruction[0].deltaSae.width;
  const count = f3(lo.value) === f3(hi.value) ? `${f3(lo.value)} (every layer and adapter)` : `${f3(lo.value)} (${label(lo)}) to ${f3(hi.value)} (${label(hi)})`;
  return { key: 'sparsity', text: `A held-out token activates ${count} of the ${width} latents of its delta SAE; this L0 ${movement(m, cells)}.` };
}

function alignment(m: ResultMetrics): ReadingLine | null {
  if (!m.alignment.length) return null;
  const range = (xs: number[]) => (xs.length ? span(xs, f3) : null);
  const observed = range(m.alignment.map((a) => a.observed.meanMaxCos));
  const controls = [
    ['a second seed', range(m.alignment.flatMap((a) => (a.ceiling ? [a.ceiling.meanMaxCos] : [])))],
    ['a norm-matched random LoRA', range(m.alignment.flatMap((a) => (a.randomLora ? [a.randomLora.meanMaxCos] : [])))],
    ['random directions', range(m.alignment.flatMap((a) => (a.floor ? [a.floor.meanMaxCos] : [])))],
  ].filter((c): c is [string, string] => c[1] !== null);
  const against = controls.length ? `, against ${controls.map(([what, r]) => `${r} for ${what}`).join(', ')}` : '';
  return { key: 'alignment', text: `A delta SAE latent's best cosine with the pretrained dictionary averages ${observed}${against}.` };
}

function cka(m: ResultMetrics): ReadingLine | null {
  const off = m.cka.flatMap((c) => c.matrix.flatMap((row, i) => row.filter((_, j) => j > i)));
  if (!off.length) return null;
  return { key: 'cka', text: `Between two adapters, the deltas' linear CKA is ${span(off, f3)} (1 = the same representation up to rotation and scale).` };
}

export function readResults(m: ResultMetrics): ReadingLine[] {
  return [deltaNorms(m), reconstruction(m), sparsity(m), alignment(m), cka(m)].filter((l): l is ReadingLine => l !== null);
}
