import { InputError } from '../../../src/errors/index.js';
import { acquireGpu } from '../../../src/gpu/index.js';
import { fetchRequiredFile, parseNpy, SafetensorsFile } from '../../../src/formats/index.js';
import {
  arraySource, estimateInputScale, evaluateSae, gemmaScopeNpz, resolveTrainConfig, SaeGpu, saelensFiles, splitHeldOut, toSaeWeights,
  trainSae, type EvalMetrics, type SaeArch, type SaeParams,
} from '../../../src/sae/index.js';
import { putOutput, reportProgress } from '../outputs.js';

export interface TrainArgs {
  arch: SaeArch;
  width: number;
  k: number;
  l1: number;
  l0: number;
  bandwidth: number;
  lr: number;
  steps: number;
  batch: number;
  seed: number;
  auxK: number;
  auxCoefficient: number;
  deadWindow: number;
  lrWarmup: number;
  lrDecay: number;
  coefWarmup: number;
  /** 'none' (as the fixtures) or 'auto' (E‖s·x‖ = √d) */
  scale: 'none' | 'auto';
  /** fraction of rows held out for evaluation (0 = evaluate on training rows) */
  heldOut: number;
  applyBDecToInput: boolean;
  npz: boolean;
  dataName: string;
  tensor?: string;
  initName?: string;
  orderName?: string;
  /** set by the harness: data, init?, order? → URL */
  files: Record<string, string>;
}

export interface TrainSummary {
  steps: number;
  final: { loss: number; mse: number; l1: number; l0: number };
  input_scale: number;
  eval_rows: number;
  metrics: Pick<EvalMetrics, 'mse' | 'fvu' | 'nmseUncentered' | 'meanL0' | 'deadFraction'>;
}

async function fetchBytes(url: string, name: string): Promise<ArrayBuffer> {
  return (await fetchRequiredFile(url, name)).arrayBuffer();
}

/** Training rows [rows, d] from a .npy or one safetensors tensor, all leading axes flattened into rows. */
async function loadData(args: TrainArgs): Promise<{ data: Float32Array; d: number }> {
  let shape: number[];
  let data: Float32Array;
  if (args.dataName.endsWith('.npy')) {
    const a = parseNpy(await fetchBytes(args.files.data, args.dataName), args.dataName);
    if (!(a.data instanceof Float32Array || a.data instanceof Float64Array)) throw new InputError(args.dataName, `expected float32 or float64 data, got ${a.dtype}`);
    shape = a.shape;
    data = a.data instanceof Float32Array ? a.data : Float32Array.from(a.data);
  } else {
    const st = await SafetensorsFile.open({ url: args.files.data }, args.dataName);
    const names = [...st.tensors.keys()];
    const name = args.tensor ?? (names.length === 1 ? names[0] : undefined);
    if (!name) throw new InputError(args.dataName, `holds ${names.length} tensors; choose one with --tensor (${names.slice(0, 8).join(', ')}${names.length > 8 ? ', …' : ''})`);
    shape = st.info(name).shape;
    data = await st.readF32(name);
  }
  if (shape.length < 2) throw new InputError(args.dataName, `expected [rows, d] (or [..., d]) data, got shape [${shape.join(', ')}]`);
  return { data, d: shape[shape.length - 1] };
}

async function loadInit(args: TrainArgs, d: number): Promise<SaeParams | undefined> {
  if (!args.files.init) return undefined;
  const file = args.initName ?? 'init.safetensors';
  const st = await SafetensorsFile.open({ url: args.files.init }, file);
  const m = args.width;
  const want: Record<string, number[]> = { W_enc: [d, m], b_enc: [m], W_dec: [m, d], b_dec: [d], ...(args.arch === 'jumprelu' ? { log_theta: [m] } : {}) };
  for (const [n, shape] of Object.entries(want)) {
    if (!st.has(n)) throw new InputError(file, `missing tensor ${n}`);
    if (st.info(n).shape.join(',') !== shape.join(',')) throw new InputError(file, `${n} is [${st.info(n).shape.join(', ')}], expected [${shape.join(', ')}]`);
  }
  return {
    arch: args.arch, d, m, ...(args.arch === 'topk' ? { k: args.k } : {}),
    W_enc: await st.readF32('W_enc'), b_enc: await st.readF32('b_enc'), W_dec: await st.readF32('W_dec'), b_dec: await st.readF32('b_dec'),
    ...(args.arch === 'jumprelu' ? { log_theta: await st.readF32('log_theta') } : {}),
    applyBDecToInput: args.applyBDecToInput,
  };
}

/** `deltascope train` in the page: trains in WGSL and sends the SAELens folder, log.json (and params.npz). */
export async function train(args: TrainArgs): Promise<TrainSummary> {
  const { data, d } = await loadData(args);
  const source = arraySource(data, d);
  const init = await loadInit(args, d);
  let order: Int32Array | undefined;
  if (args.files.order) {
    const file = args.orderName ?? 'order.npy';
    const a = parseNpy(await fetchBytes(args.files.order, file), file);
    if (!(a.data instanceof Int32Array) || a.shape.length !== 2 || a.shape[1] !== args.batch) {
      throw new InputError(file, `expected int32 [steps, ${args.batch}] row indices, got ${a.dtype} [${a.shape.join(', ')}]`);
    }
    if (a.shape[0] < args.steps) throw new InputError(file, `holds ${a.shape[0]} batches, --steps is ${args.steps}`);
    order = a.data;
  }
  const split = args.heldOut > 0 ? splitHeldOut(source.count, args.heldOut, args.seed) : null;
  const trainRows = split?.train ?? Int32Array.from({ length: source.count }, (_, i) => i);
  const cfg = resolveTrainConfig({
    arch: args.arch, d, m: args.width, steps: args.steps, batchSize: args.batch, lr: args.lr, k: args.k,
    l1Coefficient: args.l1, l0Coefficient: args.l0, bandwidth: args.bandwidth, auxK: args.auxK, auxCoefficient: args.auxCoefficient,
    deadWindowTokens: args.deadWindow, lrWarmupSteps: args.lrWarmup, lrDecaySteps: args.lrDecay, coefWarmupSteps: args.coefWarmup,
    applyBDecToInput: args.applyBDecToInput, seed: args.seed,
    inputScale: args.scale === 'auto' ? await estimateInputScale(source, trainRows) : 1,
  }, '--arch/--width/… options');
  const gpu = await acquireGpu();
  try {
    const res = await trainSae(gpu, cfg, {
      source, init, order, trainRows,
      onProgress: (p) => reportProgress(`train: step ${p.done}/${p.total}, ${p.perSecond.toFixed(1)} steps/s${p.etaSeconds === null ? '' : `, ${p.etaSeconds.toFixed(0)} s left`}`),
    });
    const weights = toSaeWeights(res.params, { threshold: res.threshold, inputScale: cfg.inputScale, source: args.dataName });
    // metrics and feature density of the exported (scale-folded) SAE on held-out rows, else on up to 8192 training rows
    const evalRows = split?.heldOut.length ? split.heldOut : trainRows.filter((_, i) => i % Math.ceil(trainRows.length / 8192) === 0);
    const sae = SaeGpu.upload(gpu, { ...res.params, W_enc: weights.W_enc, W_dec: weights.W_dec, b_dec: weights.b_dec }, { rows: cfg.batchSize, threshold: weights.threshold });
    const metrics = await evaluateSae(gpu, sae, source, evalRows, { batchSize: cfg.batchSize });
    sae.release();
    const files = saelensFiles(weights, cfg, { featureDensity: metrics.featureDensity });
    for (const [name, bytes] of Object.entries(files)) await putOutput(name, bytes);
    if (args.npz) await putOutput('params.npz', gemmaScopeNpz(weights));
    const steps = res.log.map((s) => ({ step: s.step, loss: s.loss, mse: s.mse, l1: s.l1, l0: s.l0 }));
    await putOutput('log.json', `${JSON.stringify({ steps })}\n`);
    const last = steps[steps.length - 1];
    return {
      steps: steps.length, final: { loss: last.loss, mse: last.mse, l1: last.l1, l0: last.l0 }, input_scale: cfg.inputScale, eval_rows: evalRows.length,
      metrics: { mse: metrics.mse, fvu: metrics.fvu, nmseUncentered: metrics.nmseUncentered, meanL0: metrics.meanL0, deadFraction: metrics.deadFraction },
    };
  } finally {
    gpu.destroy();
  }
}
