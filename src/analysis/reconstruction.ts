/** Reconstruction and density metrics of an SAE on a set of tokens (fixtures README §5). */
export interface ReconstructionMetrics {
  nTokens: number;
  /** Σ(x − recon)² / (n·d) */
  mse: number;
  /** Σ(x − recon)² / n */
  ssePerToken: number;
  /** Σ(x − recon)² / Σ(x − mean_over_tokens(x))² */
  fvu: number;
  /** 1 − fvu */
  explainedVariance: number;
  /** Σ(x − recon)² / Σx² */
  nmseUncentered: number;
  /** mean over tokens of #{i: acts_i ≠ 0} */
  meanL0: number;
  /** [n] per-token L0 */
  l0PerToken: Int32Array;
  /** [m] fraction of tokens on which latent i fires */
  featureDensity: Float64Array;
  /** latents that never fire on these tokens */
  nDead: number;
  meanDensity: number;
  /** [n] per-token Σ_j (x − recon)², for bootstrap intervals over tokens */
  sseRows: Float64Array;
}

/**
 * Streams token batches into the §5 sums in float64, so CPU and GPU encoders (and any batch size) report
 * the same numbers. Per-dimension sums give the token mean for FVU without a second pass.
 */
export class ReconstructionAccumulator {
  private sse = 0;
  private sumSq = 0;
  private readonly sseRows: number[] = [];
  private readonly sumX: Float64Array;
  private readonly fires: Float64Array;
  private readonly l0: number[] = [];

  constructor(
    readonly dIn: number,
    readonly dSae: number,
  ) {
    this.sumX = new Float64Array(dIn);
    this.fires = new Float64Array(dSae);
  }

  /** Adds the inputs and reconstructions of `rows` tokens (row-major [rows, dIn]). */
  addReconstruction(x: ArrayLike<number>, recon: ArrayLike<number>, rows: number): void {
    const d = this.dIn;
    for (let r = 0; r < rows; r++) {
      let rowSse = 0;
      for (let j = 0; j < d; j++) {
        const v = x[r * d + j];
        const e = v - recon[r * d + j];
        rowSse += e * e;
        this.sumSq += v * v;
        this.sumX[j] += v;
      }
      this.sse += rowSse;
      this.sseRows.push(rowSse);
    }
  }

  /** Adds per-token SSE already reduced elsewhere (GPU), with the inputs for the variance terms. */
  addReducedError(x: ArrayLike<number>, ssePerRow: ArrayLike<number>, rows: number): void {
    const d = this.dIn;
    for (let r = 0; r < rows; r++) {
      this.sse += ssePerRow[r];
      this.sseRows.push(ssePerRow[r]);
    }
    for (let i = 0; i < rows * d; i++) {
      this.sumSq += x[i] * x[i];
      this.sumX[i % d] += x[i];
    }
  }

  /** Adds firing counts: per-token L0 and per-latent counts over the same tokens. */
  addFiring(l0PerRow: ArrayLike<number>, firesPerLatent: ArrayLike<number>): void {
    this.addL0(l0PerRow);
    this.addFires(firesPerLatent);
  }

  /** Per-token L0 of the next tokens (in order). */
  addL0(l0PerRow: ArrayLike<number>): void {
    for (let r = 0; r < l0PerRow.length; r++) this.l0.push(l0PerRow[r]);
  }

  /** Per-latent firing counts (may arrive once, summed over every batch). */
  addFires(firesPerLatent: ArrayLike<number>): void {
    if (firesPerLatent.length !== this.dSae) throw new Error(`firing counts for ${firesPerLatent.length} latents, SAE has ${this.dSae}`);
    for (let i = 0; i < this.dSae; i++) this.fires[i] += firesPerLatent[i];
  }

  /** Adds the activations of `rows` tokens ([rows, dSae]); nonzero = fires. */
  addActs(acts: ArrayLike<number>, rows: number): void {
    const m = this.dSae;
    const l0 = new Int32Array(rows);
    const fires = new Float64Array(m);
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < m; i++) {
        if (acts[r * m + i] !== 0) {
          l0[r]++;
          fires[i]++;
        }
      }
    }
    this.addFiring(l0, fires);
  }

  result(): ReconstructionMetrics {
    const n = this.l0.length;
    if (n === 0) throw new Error('no tokens were evaluated');
    const d = this.dIn;
    let centred = this.sumSq;
    for (const s of this.sumX) centred -= (s * s) / n;
    const fvu = this.sse / centred;
    const density = this.fires.map((f) => f / n);
    let l0Sum = 0;
    for (const v of this.l0) l0Sum += v;
    let dead = 0;
    let densitySum = 0;
    for (const p of density) {
      if (p === 0) dead++;
      densitySum += p;
    }
    return {
      nTokens: n,
      mse: this.sse / (n * d),
      ssePerToken: this.sse / n,
      fvu,
      explainedVariance: 1 - fvu,
      nmseUncentered: this.sse / this.sumSq,
      meanL0: l0Sum / n,
      l0PerToken: Int32Array.from(this.l0),
      featureDensity: density,
      nDead: dead,
      meanDensity: densitySum / this.dSae,
      sseRows: Float64Array.from(this.sseRows),
    };
  }
}

/** Firing-frequency histogram on a log10 scale (dead latents counted apart: log 0 has no bin). */
export interface DensityHistogram {
  /** log10(density) bin edges, length bins + 1 */
  log10Edges: number[];
  counts: number[];
  dead: number;
}

/**
 * @param density [m] firing frequencies in [0, 1]
 * @param minLog10 left edge of the first bin; rarer (but live) latents fall into it
 */
export function densityHistogram(density: ArrayLike<number>, bins = 40, minLog10 = -6): DensityHistogram {
  const counts = new Array<number>(bins).fill(0);
  let dead = 0;
  for (let i = 0; i < density.length; i++) {
    const p = density[i];
    if (!(p > 0)) {
      dead++;
      continue;
    }
    const b = Math.floor(((Math.log10(p) - minLog10) / -minLog10) * bins);
    counts[Math.min(bins - 1, Math.max(0, b))]++;
  }
  return { log10Edges: Array.from({ length: bins + 1 }, (_, i) => minLog10 - (minLog10 * i) / bins), counts, dead };
}
