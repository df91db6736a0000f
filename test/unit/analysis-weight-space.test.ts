import { describe, expect, it } from 'vitest';
import { loraModuleSvd, weightSpaceView } from '../../src/analysis/index.js';
import { loadLoraAdapter } from '../../src/formats/index.js';
import { denseLoraDeltaRef } from '../ref/analysis-lora.js';
import { fixtureBytes, fixtureGemmaScopeSae } from '../ref/analysis-load.js';

async function r8() {
  return loadLoraAdapter(
    { config: await fixtureBytes('adapters/r8-patterns/adapter_config.json'), weights: await fixtureBytes('adapters/r8-patterns/adapter_model.safetensors') },
    'r8-patterns',
  );
}

describe('weight-space view (no forward pass)', () => {
  it('the r×r SVD of scaling·B·A reconstructs the dense ΔW with orthonormal factors, for every module', async () => {
    const adapter = await r8();
    for (const mod of adapter.modules) {
      const a = await adapter.weights.readF32(mod.aName);
      const b = await adapter.weights.readF32(mod.bName);
      const { singularValues: s, output: u, input: v } = loraModuleSvd(a, b, mod.r, mod.inFeatures, mod.outFeatures, mod.scaling);
      const dense = denseLoraDeltaRef(a, b, mod.r, mod.inFeatures, mod.outFeatures, mod.scaling);
      let maxErr = 0;
      let maxRef = 0;
      for (let o = 0; o < mod.outFeatures; o++) {
        for (let i = 0; i < mod.inFeatures; i++) {
          let x = 0;
          for (let k = 0; k < mod.r; k++) x += u.data[o * mod.r + k] * s[k] * v.data[i * mod.r + k];
          maxErr = Math.max(maxErr, Math.abs(x - dense[o * mod.inFeatures + i]));
          maxRef = Math.max(maxRef, Math.abs(dense[o * mod.inFeatures + i]));
        }
      }
      expect(maxErr / maxRef, mod.module).toBeLessThan(1e-12);
      for (let k = 1; k < mod.r; k++) expect(s[k]).toBeLessThanOrEqual(s[k - 1]);
      for (const f of [u, v]) {
        for (let p = 0; p < mod.r; p++) {
          for (let q = 0; q < mod.r; q++) {
            let dot = 0;
            for (let i = 0; i < f.rows; i++) dot += f.data[i * mod.r + p] * f.data[i * mod.r + q];
            expect(Math.abs(dot - (p === q ? 1 : 0))).toBeLessThan(1e-12);
          }
        }
      }
    }
  });

  it('reports each residual-stream module against the SAE decoder with brute-force best |cos|', async () => {
    const adapter = await r8();
    const sae = await fixtureGemmaScopeSae();
    const decoder = { rows: sae.dSae, cols: sae.dIn, data: sae.W_dec };
    const rows = await weightSpaceView(adapter, decoder, { topDirections: 2, ks: [2, 4] });
    expect(rows.length).toBe(adapter.modules.length);
    for (const row of rows) {
      expect(row.side).toBe(row.kind === 'o_proj' || row.kind === 'down_proj' ? 'output' : 'input');
      expect(row.principalAngles['2']).toHaveLength(2);
      if (row.r >= 4) expect(row.principalAngles['4']).toHaveLength(4);
      const mod = adapter.modules.find((m) => m.module === row.module)!;
      const s = loraModuleSvd(await adapter.weights.readF32(mod.aName), await adapter.weights.readF32(mod.bName), mod.r, mod.inFeatures, mod.outFeatures, mod.scaling);
      const dirs = row.side === 'output' ? s.output : s.input;
      let best = 0;
      for (let i = 0; i < sae.dSae; i++) {
        let dot = 0;
        let nn = 0;
        for (let j = 0; j < sae.dIn; j++) {
          dot += sae.W_dec[i * sae.dIn + j] * dirs.data[j * mod.r];
          nn += sae.W_dec[i * sae.dIn + j] ** 2;
        }
        best = Math.max(best, Math.abs(dot) / Math.sqrt(nn));
      }
      expect(Math.abs(row.bestAbsCos[0] - best)).toBeLessThan(1e-12);
    }
  });
});
