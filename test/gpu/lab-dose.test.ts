import { describe, expect, it } from 'vitest';
import { DOSE_ALPHAS, DOSE_ONSET_FRACTION } from '../../src/analysis/index.js';
import type { Dose, SaeWeights } from '../../src/formats/index.js';
import { datasetFromTokenIds } from '../../src/lab/dataset-pack.js';
import { doseStage, extractDose } from '../../src/lab/experiment-dose.js';
import type { StageContext } from '../../src/lab/experiment.js';
import type { Extracted } from '../../src/lab/experiment-extract.js';
import type { Trained } from '../../src/lab/experiment-train.js';
import { extractDeltas } from '../../src/lab/extraction/index.js';
import { GemmaEngine } from '../../src/model/index.js';
import { ActivationStore } from '../../src/store/index.js';
import { relError, randomArray } from '../helpers/assert.js';
import { fixtureJson } from '../helpers/fixtures.js';
import { testGpu } from '../helpers/gpu.js';
import { fixtureAdapter, fixtureIds, fixtureModel } from '../helpers/model.js';
import { linearityRef, meanLatentsRef, meanNormRef } from '../ref/dose.js';
import { gemmaForwardRef } from '../ref/gemma-forward.js';
import { TOL } from '../tolerances.js';

const LAYERS = [1, 2];
const ADAPTERS = ['r8', 'r16'];
const H = 64;
const M = 48;

interface Resolved {
  modules: { module: string; r: number; scaling: number }[];
}

/**
 * The dose-response path of a run end to end on the fixture model: the main extraction (r8, r16) into a real
 * IndexedDB store, the α-scaled extraction, then the evaluate step with a ReLU SAE per (layer, adapter) — against
 * deltas from a float64 Gemma-2 forward at scaling × α and a float64 encoder (test/ref/dose.ts).
 */
describe('dose-response of a stored run against float64 references', () => {
  it('stores the α-scaled deltas and reports norms, latent means and linearity as the float64 forward and encoder give', async () => {
    const gpu = await testGpu();
    const model = await fixtureModel();
    const adapters = await Promise.all(ADAPTERS.map((n) => fixtureAdapter(n, model)));
    const { ids, batch, seq } = await fixtureIds('reference/input_ids.npy');
    const dataset = await datasetFromTokenIds(ids, batch, seq, 2, { heldOutFraction: 0.5, splitSeed: 3 });
    const store = ActivationStore.open('lab-dose-test');
    const hashes = { model: 'fixture-model', adapters: new Map(ADAPTERS.map((n) => [n, `fixture-${n}`])), tokenizer: 'none' };
    const config = { name: 'dose-test', layers: LAYERS, precision: 'f32' as const, dataset: { sequenceLength: seq } };
    const main = await extractDeltas(
      {
        dataset,
        model: { sha256: hashes.model, dtype: 'f32', hidden: H },
        adapters: ADAPTERS.map((name) => ({ name, sha256: hashes.adapters.get(name)! })),
        tokenizer: null,
        options: { layers: LAYERS, dtype: 'f32', saveBase: false, batchSize: 4 },
      },
      { store, openEngine: async () => ({ gpu, engine: await GemmaEngine.load(gpu, model.checkpoint, model.config, adapters, { dtype: 'f32', layers: LAYERS }) }) },
    );
    const logs: string[] = [];
    const ctx = { signal: new AbortController().signal, onProgress: () => {}, log: (_l: string, t: string) => logs.push(t), publish: () => {}, results: () => ({}) } as unknown as StageContext;
    const ex = { config, dataset, modelConfig: model.config, checkpoint: model.checkpoint, adapters, randomLora: null, gpu, hashes, tokenizer: { name: 'none' }, store, runId: main.runId, manifest: main.manifest } as unknown as Extracted;
    const runs = (await extractDose(ex, ctx))!;
    expect(runs.sequences).toEqual(Array.from(dataset.heldOut));
    expect(runs.streams.map((s) => s.alpha).sort()).toEqual([0.25, 0.25, 0.5, 0.5, 1.5, 1.5, 2, 2]);
    console.log(logs.join('\n'));

    const saeOf = (layer: number, adapter: string): SaeWeights => {
      const seed = 100 * layer + ADAPTERS.indexOf(adapter);
      return {
        architecture: 'relu', dIn: H, dSae: M, W_enc: randomArray(H * M, seed).map((v) => v * 3), W_dec: randomArray(M * H, seed + 1), b_enc: randomArray(M, seed + 2).map((v) => 0.2 * v - 0.05),
        b_dec: new Float32Array(H), applyBDecToInput: false, normalizeActivations: 'none', source: 'test',
      };
    };
    const saes = LAYERS.flatMap((layer) => ADAPTERS.map((adapter) => ({ layer, adapter, seed: 1, inputScale: 1, sae: saeOf(layer, adapter) })));
    const dose: Dose[] = await doseStage({ ...ex, saes } as unknown as Trained, runs, ctx);
    expect(dose.map((d) => `${d.layer}/${d.adapter}`)).toEqual(LAYERS.flatMap((l) => ADAPTERS.map((a) => `${l}/${a}`)));

    // float64: every held-out sequence through the base and each adapter merged at scaling × α
    const plain = new Map<string, Float32Array>();
    for (const name of model.checkpoint.tensors.keys()) plain.set(name, await model.checkpoint.readF32(name));
    const forward = async (adapter: string | null, alpha: number, s: number): Promise<Float64Array[]> => {
      const merged = new Map<string, Float64Array>();
      if (adapter) {
        const lora = adapters[ADAPTERS.indexOf(adapter)].weights;
        for (const m of (await fixtureJson<Resolved>(`adapters/${adapter}/resolved_modules.json`)).modules) {
          const w = Float64Array.from(plain.get(`${m.module}.weight`)!);
          const a = await lora.readF32(`base_model.model.${m.module}.lora_A.weight`);
          const b = await lora.readF32(`base_model.model.${m.module}.lora_B.weight`);
          const inF = a.length / m.r;
          for (let o = 0; o < b.length / m.r; o++) for (let i = 0; i < inF; i++) for (let r = 0; r < m.r; r++) w[o * inF + i] += alpha * m.scaling * b[o * m.r + r] * a[r * inF + i];
          merged.set(`${m.module}.weight`, w);
        }
      }
      return gemmaForwardRef(model.config, (n) => merged.get(n) ?? plain.get(n)!, ids.subarray(s * seq, (s + 1) * seq), 1, seq, Math.max(...LAYERS));
    };
    const textRows = (x: Float64Array): Float64Array => x.subarray(H); // position 0 is BOS
    const rows = runs.sequences.length * (seq - 1);
    const errors: string[] = [];
    const base = await Promise.all(runs.sequences.map((s) => forward(null, 0, s)));
    for (const adapter of ADAPTERS) {
      const perAlpha = await Promise.all(DOSE_ALPHAS.map((alpha) => Promise.all(runs.sequences.map((s) => forward(adapter, alpha, s)))));
      for (const layer of LAYERS) {
        const got = dose.find((d) => d.layer === layer && d.adapter === adapter)!;
        expect(got.tokens).toBe(rows);
        const deltas = perAlpha.map((seqs) => {
          const x = new Float64Array(rows * H);
          seqs.forEach((out, k) => x.set(textRows(out[layer]).map((v, i) => v - textRows(base[k][layer])[i]), k * (seq - 1) * H));
          return x;
        });
        const norms = deltas.map((x) => meanNormRef(x, rows, H));
        errors.push(`norm ${relError(got.meanDeltaNorm, norms).toExponential(1)}`);
        expect(relError(got.meanDeltaNorm, norms)).toBeLessThanOrEqual(TOL.gpuMetrics);
        expect(got.meanDeltaNorm[0]).toBe(0);
        const sae = saeOf(layer, adapter);
        const ref = { d: H, m: M, W_enc: sae.W_enc, b_enc: sae.b_enc };
        const means = deltas.map((x) => meanLatentsRef(ref, x, rows));
        const strength = Array.from({ length: M }, (_, j) => Math.max(...means.map((a) => Math.abs(a[j] - means[0][j]))));
        expect(got.responsive).toBeGreaterThan(0);
        expect(got.latents.length).toBeGreaterThan(0);
        const order = Array.from({ length: M }, (_, j) => j).sort((a, b) => strength[b] - strength[a] || a - b);
        expect(got.latents.map((l) => l.latent)).toEqual(order.slice(0, got.latents.length));
        const scale = Math.max(...got.latents.flatMap((l) => means.map((a) => Math.abs(a[l.latent]))));
        for (const l of got.latents) {
          const want = means.map((a) => a[l.latent]);
          expect(relError(l.means, want, scale)).toBeLessThanOrEqual(TOL.gpuMetrics);
          const lin = linearityRef([...DOSE_ALPHAS], want, DOSE_ONSET_FRACTION);
          expect(Math.abs(l.linearity - lin.linearity)).toBeLessThanOrEqual(1e-3);
          expect(l.onset).toBe(lin.onset);
        }
        errors.push(`means ${Math.max(...got.latents.map((l) => relError(l.means, means.map((a) => a[l.latent]), scale))).toExponential(1)}`);
      }
    }
    console.log(`dose-response vs float64: ${errors.join(', ')}`);
    for (const id of new Set([main.runId, ...runs.streams.map((s) => s.runId)])) await store.deleteRun(id);
  });
});
