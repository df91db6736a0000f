import { emptyMetrics, type ResultMetrics } from '../../src/formats/bundle-schema.js';
import { fixtureJson } from '../helpers/fixtures.js';

interface DeltaNormsJson {
  adapters: string[];
  layers: number[];
  mean_token_l2_delta_excluding_pos0: number[][];
}
interface MetricsJson {
  mean_max_cos_A: number;
  frac_A_max_cos_above: Record<'0.5' | '0.7' | '0.9', number>;
  k8: { angles_rad_ascending: number[] };
}
interface SaeMetricsJson {
  mse: number;
  fvu: number;
  nmse_uncentered: number;
  mean_l0: number;
  n_dead_features: number;
  m: number;
}

/** A ResultMetrics filled with the fixtures' reference numbers (delta norms, SAE metrics, principal angles). */
export async function fixtureMetrics(): Promise<ResultMetrics> {
  const norms = await fixtureJson<DeltaNormsJson>('reference/delta_norms.json');
  const geo = await fixtureJson<MetricsJson>('metrics/metrics.json');
  const sae = await fixtureJson<SaeMetricsJson>('sae/metrics.json');
  const m = emptyMetrics();
  m.layers = norms.layers;
  m.deltaNorms = norms.adapters.flatMap((adapter, a) =>
    norms.layers.map((layer, l) => ({ layer, adapter, meanDeltaNorm: norms.mean_token_l2_delta_excluding_pos0[a][l], meanBaseNorm: 10, tokens: 92 })),
  );
  const saeEval = {
    mse: sae.mse,
    fvu: sae.fvu,
    nmseUncentered: sae.nmse_uncentered,
    meanL0: sae.mean_l0,
    nDead: sae.n_dead_features,
    width: sae.m,
    density: { edges: [-3, -2, -1, 0], counts: [10, 100, 128], scale: 'log10' as const },
    fvuInterval: null,
  };
  m.reconstruction = [{ layer: 1, adapter: 'r16', deltaSae: saeEval, pretrainedDirect: saeEval, pretrainedDiff: null }];
  const observed = {
    meanMaxCos: geo.mean_max_cos_A,
    interval: [0.5, 0.58] as [number, number],
    fracAbove: geo.frac_A_max_cos_above,
    histogram: { edges: [0, 0.5, 1], counts: [162, 94], scale: 'linear' as const },
  };
  m.alignment = [{ layer: 1, adapter: 'r16', observed, ceiling: null, floor: observed, randomLora: null }];
  m.principalAngles = [{ layer: 1, adapter: 'r16', k: 8, angles: geo.k8.angles_rad_ascending, floor: null }];
  return m;
}
