import { compareDecoders, encodeSae, evaluateSae, linearCka, randomUnitDirections, ReconstructionAccumulator, type MatrixLike } from '../analysis/index.js';
import { throwIfAborted } from '../errors/index.js';
import { saeToSaelens, type Alignment, type BundleSae, type Cka, type PrincipalAngles, type Reconstruction, type SaeWeights } from '../formats/index.js';
import { progressReporter } from '../progress/index.js';
import { BASE_STREAM, ftStream, StoredActivations } from '../store/index.js';
import { withDictionaryCosines } from './across-adapters.js';
import type { ExperimentOutput, StageContext } from './experiment.js';
import { cosineSummary, fvuInterval, saeEval } from './experiment-summaries.js';
import type { Trained, TrainedSae } from './experiment-train.js';
import { runLatentDashboards, type LatentSae } from './latent-dashboards.js';

const decoder = (s: SaeWeights): MatrixLike => ({ rows: s.dSae, cols: s.dIn, data: s.W_dec });

/**
 * The pretrained SAE as SAE(ft) − SAE(base) against the delta; its firing statistics are those of its code
 * of the fine-tuned activations.
 */
function diffEval(x: Float32Array, recon: Float64Array, ftActs: Float64Array, rows: number, d: number, width: number, resamples: number, seed: number) {
  const acc = new ReconstructionAccumulator(d, width);
  acc.addReconstruction(x, recon, rows);
  acc.addActs(ftActs, rows);
  return saeEval(acc.result(), width, fvuInterval(x, recon, rows, d, resamples, seed));
}

/**
 * The evaluate stage: on held-out deltas, the delta SAEs against the pretrained dictionary (reconstruction,
 * density, max-cosine alignment with ceiling/floor/random-LoRA controls, principal angles) and linear CKA
 * between adapters; then the SAEs in SAELens layout for the bundle.
 */
export async function evaluateStage(t: Trained, ctx: StageContext): Promise<ExperimentOutput> {
  const { config, heldOut, heldOutRows } = t;
  const d = t.manifest.hidden;
  const rows = heldOutRows.length;
  const boot = config.controls.bootstrap;
  const real = t.manifest.adapters.map((a) => a.name).filter((n) => n !== t.randomLora);
  const progress = progressReporter('evaluate', config.layers.length * (real.length + 1), ctx.onProgress);
  let done = 0;
  const sae = (layer: number, adapter: string, i = 0): TrainedSae | undefined => t.saes.filter((s) => s.layer === layer && s.adapter === adapter)[i];
  const reconstruction: Reconstruction[] = [];
  const alignment: Alignment[] = [];
  const principalAngles: PrincipalAngles[] = [];
  const cka: Cka[] = [];
  const latentSaes: LatentSae[] = [];

  for (const layer of config.layers) {
    const pre = t.pretrained.get(layer) ?? null;
    let base: Float32Array | null = null;
    if (pre && t.manifest.saveBase) base = await (await StoredActivations.open(t.store, t.runId, layer, BASE_STREAM)).rows(heldOutRows);
    const preRecon = (x: Float32Array) => encodeSae(pre!, x, rows).recon;
    const baseRecon = pre && base ? preRecon(base) : null;
    const floor = pre && config.controls.randomDirections ? compareDecoders(decoder({ ...pre, dSae: config.sae.width, W_dec: randomUnitDirections(config.sae.width, d, config.seed + layer) }), decoder(pre), { ks: config.principalK }) : null;
    const randomSae = t.randomLora ? sae(layer, t.randomLora) : undefined;
    const randomLora = pre && randomSae ? compareDecoders(decoder(randomSae.sae), decoder(pre), { ks: config.principalK }) : null;
    for (const adapter of real) {
      throwIfAborted(ctx.signal, 'evaluation');
      const x = heldOut.get(`${layer}/${adapter}`)!;
      const first = sae(layer, adapter)!;
      const second = sae(layer, adapter, 1);
      const enc = encodeSae(first.sae, x, rows, 1);
      const seedBase = config.seed + layer * 101;
      const deltaEval = saeEval(evaluateSae(first.sae, x, rows, { normScale: 1 }), first.sae.dSae, fvuInterval(x, enc.recon, rows, d, boot, seedBase));
      let pretrainedDirect = null;
      let pretrainedDiff = null;
      const latentSae: LatentSae = { layer, adapter, sae: first.sae, nearest: null, alignment: null };
      latentSaes.push(latentSae);
      if (pre) {
        const direct = preRecon(x);
        pretrainedDirect = saeEval(evaluateSae(pre, x, rows), pre.dSae, fvuInterval(x, direct, rows, d, boot, seedBase + 1));
        if (baseRecon) {
          const ft = await (await StoredActivations.open(t.store, t.runId, layer, ftStream(adapter))).rows(heldOutRows);
          const ftCode = encodeSae(pre, ft, rows);
          const diff = ftCode.recon.map((v, i) => v - baseRecon[i]);
          pretrainedDiff = diffEval(x, diff, ftCode.acts, rows, d, pre.dSae, boot, seedBase + 2);
        }
        const observed = compareDecoders(decoder(first.sae), decoder(pre), { ks: config.principalK });
        const ceiling = second ? compareDecoders(decoder(first.sae), decoder(second.sae), { ks: config.principalK }) : null;
        latentSae.nearest = { maxCos: observed.maxCosA, argmax: observed.argmaxA };
        alignment.push({
          layer,
          adapter,
          observed: cosineSummary(observed, boot, seedBase + 3),
          ceiling: ceiling ? cosineSummary(ceiling, boot, seedBase + 4) : null,
          floor: floor ? cosineSummary(floor, boot, seedBase + 5) : null,
          randomLora: randomLora ? cosineSummary(randomLora, boot, seedBase + 6) : null,
        });
        latentSae.alignment = alignment[alignment.length - 1];
        for (const [k, angles] of Object.entries(observed.principalAngles)) {
          principalAngles.push({ layer, adapter, k: Number(k), angles, floor: floor?.principalAngles[k] ?? null });
        }
      }
      reconstruction.push({ layer, adapter, deltaSae: deltaEval, pretrainedDirect, pretrainedDiff });
      ctx.publish((m) => ({ ...m, reconstruction: [...reconstruction], alignment: [...alignment], principalAngles: [...principalAngles] }));
      progress.update(++done);
    }
    const mats = real.map((a) => ({ rows, cols: d, data: heldOut.get(`${layer}/${a}`)! }));
    cka.push({ layer, labels: real, matrix: mats.map((x, i) => mats.map((y, j) => (i === j ? 1 : linearCka(x, y)))) });
    ctx.publish((m) => ({ ...m, cka: [...cka] }));
    progress.update(++done);
  }
  progress.finish();
  ctx.publish((m) => ({ ...m, acrossAdapters: withDictionaryCosines(m.acrossAdapters, t.saes) }));
  // dashboards read every stored delta (not only the held-out rows) and W_E, after the cheaper metrics are shown
  const latents = await runLatentDashboards(t.gpu, t.store, t.runId, { checkpoint: t.checkpoint, config: t.modelConfig }, latentSaes, {
    decode: (id) => t.tokenizer.decode([id], false),
    signal: ctx.signal,
    onProgress: ctx.onProgress,
  });
  // one SAE's dashboards at a time: each crosses to the page as a message of its own, not all in one large one
  for (const set of latents) ctx.publish((m) => ({ ...m, latents: [...m.latents, set] }));

  const saes: BundleSae[] = t.saes
    .filter((s) => s.seed === Math.min(...t.saes.filter((u) => u.layer === s.layer && u.adapter === s.adapter).map((u) => u.seed)))
    .map((s) => {
      const files = saeToSaelens({ ...s.sae, architecture: s.sae.architecture as 'relu' | 'topk' | 'jumprelu' }, {
        hook_name: `blocks.${s.layer}.hook_resid_post`,
        hook_layer: s.layer,
        deltascope: { kind: 'delta', adapter: s.adapter, seed: s.seed, input_scale_folded: s.inputScale },
      });
      return { layer: s.layer, adapter: s.adapter, cfg: JSON.parse(files['cfg.json']) as Record<string, unknown>, weights: files['sae_weights.safetensors'] };
    });
  const seeds: Record<string, number> = { run: config.seed, split: config.seed };
  for (const s of t.saes) seeds[`sae.layer${s.layer}.${s.adapter}.${s.seed === saesFirstSeed(t, s) ? 'a' : 'b'}`] = s.seed;
  return {
    metrics: { ...ctx.results(), reconstruction, alignment, principalAngles, cka, latents },
    saes,
    seeds,
    inputs: t.inputs,
  };
}

function saesFirstSeed(t: Trained, s: TrainedSae): number {
  return Math.min(...t.saes.filter((u) => u.layer === s.layer && u.adapter === s.adapter).map((u) => u.seed));
}
