import type { Alignment, CosineSummary, ResultMetrics, SaeEval } from './bundle-schema.js';

/** A flat table: the form every panel's numbers take for CSV export, in the app and in a bundle. */
export interface Table {
  columns: string[];
  rows: (string | number | null)[][];
}

/**
 * OWASP's CSV-injection rule: a text cell a spreadsheet would read as a formula (leading = + - @, tab or CR) gets
 * a leading apostrophe. Numbers are written as numbers and never touched.
 */
export function neutraliseCell(v: string): string {
  return /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
}

/** RFC 4180 CSV; numbers at full precision so the file round-trips exactly; text cells neutralised. */
export function toCsv(table: Table): string {
  const cell = (v: string | number | null): string => {
    if (v === null) return '';
    if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
    const safe = neutraliseCell(v);
    return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  return [table.columns, ...table.rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

function evalCells(e: SaeEval | null): (number | null)[] {
  return e ? [e.mse, e.fvu, e.nmseUncentered, e.meanL0, e.nDead, e.width] : [null, null, null, null, null, null];
}

function cosCells(c: CosineSummary | null): (number | null)[] {
  return c ? [c.meanMaxCos, c.interval?.[0] ?? null, c.interval?.[1] ?? null, c.fracAbove['0.5'], c.fracAbove['0.7'], c.fracAbove['0.9']] : [null, null, null, null, null, null];
}

const EVAL_COLS = ['mse', 'fvu', 'nmse_uncentered', 'mean_l0', 'n_dead', 'width'];
const COS_COLS = ['mean_max_cos', 'ci_low', 'ci_high', 'frac_above_0.5', 'frac_above_0.7', 'frac_above_0.9'];
const prefixed = (p: string, cols: string[]) => cols.map((c) => `${p}_${c}`);

function alignmentRow(a: Alignment): (string | number | null)[] {
  return [a.layer, a.adapter, ...cosCells(a.observed), ...cosCells(a.ceiling), ...cosCells(a.floor), ...cosCells(a.randomLora)];
}

/** Every table of a result, keyed by its CSV file stem. */
export function metricsTables(m: ResultMetrics): Record<string, Table> {
  return {
    delta_norms: {
      columns: ['layer', 'adapter', 'mean_delta_norm', 'mean_base_norm', 'relative', 'tokens'],
      rows: m.deltaNorms.map((d) => [d.layer, d.adapter, d.meanDeltaNorm, d.meanBaseNorm, d.meanBaseNorm > 0 ? d.meanDeltaNorm / d.meanBaseNorm : null, d.tokens]),
    },
    training: {
      columns: ['layer', 'adapter', 'seed', 'step', 'loss', 'mse', 'l0', 'held_out_fvu'],
      rows: m.training.flatMap((t) => {
        const fvu = new Map(t.heldOut.map((h) => [h.step, h.fvu]));
        const steps = new Set(t.points.map((p) => p.step));
        const rows: (string | number | null)[][] = t.points.map((p) => [t.layer, t.adapter, t.seed, p.step, p.loss, p.mse, p.l0, fvu.get(p.step) ?? null]);
        for (const h of t.heldOut) if (!steps.has(h.step)) rows.push([t.layer, t.adapter, t.seed, h.step, null, null, null, h.fvu]);
        return rows;
      }),
    },
    reconstruction: {
      columns: ['layer', 'adapter', ...prefixed('delta_sae', EVAL_COLS), ...prefixed('pretrained_direct', EVAL_COLS), ...prefixed('pretrained_diff', EVAL_COLS)],
      rows: m.reconstruction.map((r) => [r.layer, r.adapter, ...evalCells(r.deltaSae), ...evalCells(r.pretrainedDirect), ...evalCells(r.pretrainedDiff)]),
    },
    alignment: {
      columns: ['layer', 'adapter', ...prefixed('observed', COS_COLS), ...prefixed('ceiling', COS_COLS), ...prefixed('floor', COS_COLS), ...prefixed('random_lora', COS_COLS)],
      rows: m.alignment.map(alignmentRow),
    },
    principal_angles: {
      columns: ['layer', 'adapter', 'k', 'index', 'angle_rad', 'floor_rad'],
      rows: m.principalAngles.flatMap((p) => p.angles.map((a, i) => [p.layer, p.adapter, p.k, i, a, p.floor?.[i] ?? null])),
    },
    cka: {
      columns: ['layer', 'a', 'b', 'linear_cka'],
      rows: m.cka.flatMap((c) => c.labels.flatMap((a, i) => c.labels.map((b, j) => [c.layer, a, b, c.matrix[i][j]]))),
    },
    lens: {
      columns: ['layer', 'adapter', 'position', 'tokens', 'side', 'rank', 'id', 'token', 'z'],
      rows: m.lens.flatMap((l) =>
        [{ position: 'all' as string | number, tokens: l.tokens, promoted: l.promoted, suppressed: l.suppressed }, ...l.positions].flatMap((p) =>
          (['promoted', 'suppressed'] as const).flatMap((side) => p[side].map((t, rank) => [l.layer, l.adapter, p.position, p.tokens, side, rank, t.id, t.token, t.z])),
        ),
      ),
    },
    dose_norms: {
      columns: ['layer', 'adapter', 'alpha', 'mean_delta_norm', 'tokens', 'sequences'],
      rows: m.dose.flatMap((d) => d.alphas.map((a, i) => [d.layer, d.adapter, a, d.meanDeltaNorm[i], d.tokens, d.sequences])),
    },
    dose_latents: {
      columns: ['layer', 'adapter', 'latent', 'alpha', 'mean_activation', 'slope', 'linearity_1_minus_r2', 'onset_alpha'],
      rows: m.dose.flatMap((d) => d.latents.flatMap((l) => d.alphas.map((a, i) => [d.layer, d.adapter, l.latent, a, l.means[i], l.slope, l.linearity, l.onset]))),
    },
    dose_linearity: {
      columns: ['layer', 'adapter', 'responsive', 'bin_low', 'bin_high', 'count'],
      rows: m.dose.flatMap((d) => d.linearity.counts.map((c, i) => [d.layer, d.adapter, d.responsive, d.linearity.edges[i], d.linearity.edges[i + 1], c])),
    },
    local_writes: {
      columns: ['adapter', 'layer', 'module', 'mean_local_norm', 'tokens'],
      rows: m.localWrites.map((w) => [w.adapter, w.layer, w.module, w.meanNorm, w.tokens]),
    },
    across_adapters: {
      columns: ['layer', 'a', 'b', 'direction_cosine', 'dictionary_mean_best_cosine_a_to_b', 'dictionary_a_first_seed_to_b_second_seed'],
      rows: m.acrossAdapters.flatMap((c) => c.labels.flatMap((a, i) => c.labels.map((b, j) => [c.layer, a, b, c.directionCosine[i][j], c.dictionaryCosine?.[i][j] ?? null, c.crossSeed ? 1 : 0]))),
    },
    // per latent of each delta SAE; the dashboards' contexts and logit effects stay in metrics.json
    latents: {
      columns: ['layer', 'adapter', 'latent', 'variance_share', 'frequency', 'nearest_pretrained', 'cosine', 'label', 'new_below', 'shared_at_least', 'dashboard'],
      rows: m.latents.flatMap((s) => {
        const dash = new Set(s.dashboards.map((d) => d.index));
        return s.frequency.map((f, i) => [s.layer, s.adapter, i, s.varianceShare[i], f, s.nearest[i], s.cosine[i], s.label[i], s.thresholds?.newBelow ?? null, s.thresholds?.sharedAtLeast ?? null, dash.has(i) ? 1 : 0]);
      }),
    },
    latent_contexts: {
      columns: ['layer', 'adapter', 'latent', 'rank', 'sequence', 'position', 'activation', 'window_start', 'ids', 'acts'],
      rows: m.latents.flatMap((s) => s.dashboards.flatMap((d) => d.contexts.map((c, rank) => [s.layer, s.adapter, d.index, rank, c.sequence, c.position, c.activation, c.start, c.ids.join(' '), c.acts.join(' ')]))),
    },
    latent_logits: {
      columns: ['layer', 'adapter', 'latent', 'side', 'rank', 'id', 'token', 'z'],
      rows: m.latents.flatMap((s) => s.dashboards.flatMap((d) => (['promoted', 'suppressed'] as const).flatMap((side) => d[side].map((t, rank) => [s.layer, s.adapter, d.index, side, rank, t.id, t.token, t.z])))),
    },
    weight_space: {
      columns: ['adapter', 'layer', 'module', 'rank', 'scaling', 'frobenius', 'relative'],
      rows: m.weightSpace.map((w) => [w.adapter, w.layer, w.module, w.rank, w.scaling, w.frobenius, w.relative]),
    },
  };
}
