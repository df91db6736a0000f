// bench/load: loads a Gemma-2-2B-shaped BF16 checkpoint from disk for f32, f16, q8 and q4 and compares each load
// with just reading the same bytes (the peer), in the same run. Runs in Node on Dawn (bench/load.mjs).
import { mkdir, open, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { INDEX_NAME, openGemma2Checkpoint, parseGemma2Config, PROJECTION_KINDS, projectionShape, type Gemma2Config } from '../src/formats/index.js';
import { modelFilesFromDir } from '../src/formats/node-files.js';
import { acquireGpu, type Gpu } from '../src/gpu/index.js';
import { GemmaEngine, packF16Rows, quantizeRows, type ModelDtype } from '../src/model/index.js';

/** Gemma-2-2B's published config.json (layer count set by --layers). */
function gemma2bConfig(layers: number): Record<string, unknown> {
  return {
    model_type: 'gemma2', hidden_size: 2304, num_hidden_layers: layers, num_attention_heads: 8, num_key_value_heads: 4, head_dim: 256,
    intermediate_size: 9216, vocab_size: 256000, sliding_window: 4096, query_pre_attn_scalar: 256, hidden_activation: 'gelu_pytorch_tanh',
    final_logit_softcapping: 30, attn_logit_softcapping: 50, rms_norm_eps: 1e-6, rope_theta: 10000, max_position_embeddings: 8192, tie_word_embeddings: true,
  };
}

const SHARD_LIMIT = 1.9e9;

/** Seeded BF16 values in ±0.05 (xorshift32), written straight into the file region. */
function fillBf16(out: Uint16Array, seed: number): void {
  let s = seed >>> 0 || 1;
  for (let i = 0; i < out.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    // sign, exponent 2^-5..2^-8, random mantissa: BF16 patterns of typical weight magnitudes
    out[i] = ((s & 0x8000) | ((0x7a - ((s >>> 16) & 3)) << 7) | ((s >>> 20) & 0x7f)) & 0xffff;
  }
}

interface Entry { name: string; shape: number[] }

function tensorsOf(c: Gemma2Config): Entry[] {
  const out: Entry[] = [{ name: 'model.embed_tokens.weight', shape: [c.vocabSize, c.hiddenSize] }];
  for (let l = 0; l < c.numHiddenLayers; l++) {
    for (const n of ['input_layernorm', 'post_attention_layernorm', 'pre_feedforward_layernorm', 'post_feedforward_layernorm']) out.push({ name: `model.layers.${l}.${n}.weight`, shape: [c.hiddenSize] });
    for (const k of PROJECTION_KINDS) out.push({ name: `model.layers.${l}.${k === 'gate_proj' || k === 'up_proj' || k === 'down_proj' ? 'mlp' : 'self_attn'}.${k}.weight`, shape: projectionShape(c, k) });
  }
  out.push({ name: 'model.norm.weight', shape: [c.hiddenSize] });
  return out;
}

/** One safetensors file of `entries` (BF16); `padBytes` of sparse zeros first puts the rest past 4 GiB. */
async function writeShard(file: string, entries: Entry[], seed: number, padBytes = 0): Promise<void> {
  const header: Record<string, unknown> = {};
  let offset = 0;
  const all = padBytes ? [{ name: 'padding.zeros', shape: [padBytes / 2] }, ...entries] : entries;
  for (const e of all) {
    const bytes = e.shape.reduce((a, b) => a * b, 1) * 2;
    header[e.name] = { dtype: 'BF16', shape: e.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const hlen = Math.ceil(json.length / 8) * 8;
  const head = new Uint8Array(8 + hlen).fill(0x20, 8);
  new DataView(head.buffer).setBigUint64(0, BigInt(hlen), true);
  head.set(json, 8);
  const fh = await open(file, 'w');
  try {
    await fh.truncate(head.length + offset);
    await fh.write(head, 0, head.length, 0);
    let at = head.length + padBytes;
    for (const e of entries) {
      const n = e.shape.reduce((a, b) => a * b, 1);
      for (let i0 = 0; i0 < n; i0 += 1 << 24) {
        const part = new Uint16Array(Math.min(1 << 24, n - i0));
        fillBf16(part, seed++ * 7919 + i0);
        await fh.write(new Uint8Array(part.buffer), 0, part.byteLength, at);
        at += part.byteLength;
      }
    }
  } finally {
    await fh.close();
  }
}

export async function writeCheckpoint(dir: string, layers: number, variant: 'sharded' | 'single-over-4GiB'): Promise<void> {
  await mkdir(dir, { recursive: true });
  const cfg = gemma2bConfig(layers);
  await writeFile(path.join(dir, 'config.json'), JSON.stringify(cfg));
  const entries = tensorsOf(parseGemma2Config(JSON.stringify(cfg), 'config.json'));
  if (variant === 'single-over-4GiB') {
    const total = entries.reduce((s, e) => s + e.shape.reduce((a, b) => a * b, 1) * 2, 0);
    const pad = total > 2 ** 32 ? 0 : Math.ceil((2 ** 32 + 2 ** 20 - total) / 8) * 8;
    await writeShard(path.join(dir, 'model.safetensors'), entries, 1, pad);
    return;
  }
  const shards: Entry[][] = [[]];
  let size = 0;
  for (const e of entries) {
    const b = e.shape.reduce((a, x) => a * x, 1) * 2;
    if (size + b > SHARD_LIMIT && shards[shards.length - 1].length) {
      shards.push([]);
      size = 0;
    }
    shards[shards.length - 1].push(e);
    size += b;
  }
  const map: Record<string, string> = {};
  for (const [i, s] of shards.entries()) {
    const name = `model-${String(i + 1).padStart(5, '0')}-of-${String(shards.length).padStart(5, '0')}.safetensors`;
    for (const e of s) map[e.name] = name;
    await writeShard(path.join(dir, name), s, 1 + i * 1000);
  }
  await writeFile(path.join(dir, INDEX_NAME), JSON.stringify({ metadata: {}, weight_map: map }));
}

/**
 * Peer and host-work probe: reads every byte the load reads (the layers' tensors) in 8 MiB ranges as the loader does,
 * and writes each range into a ring of 4 GPU staging buffers as the loader does (sync once per turn, not timed).
 * readS is the read-only peer; copyS the host's part of the uploads. Together they are all the host work of a load
 * on this path: the values are never touched on the host.
 */
async function hostStepsPeer(gpu: Gpu, dir: string, names: string[]): Promise<{ readS: number; copyS: number }> {
  const { checkpoint } = await openGemma2Checkpoint(await modelFilesFromDir(dir));
  const ring = Array.from({ length: 4 }, () => gpu.empty([(8 << 20) / 4], 'u32', 'bench.staging'));
  let [readMs, copyMs, next] = [0, 0, 0];
  for (const n of names) {
    const info = checkpoint.info(n);
    const rows = info.shape[0];
    const rowBytes = (info.end - info.begin) / rows;
    const per = Math.max(1, Math.floor((8 << 20) / rowBytes));
    for (let r = 0; r < rows; r += per) {
      let t0 = performance.now();
      const bytes = await checkpoint.readRawRows(n, r, Math.min(per, rows - r));
      readMs += performance.now() - t0;
      if (next === ring.length) {
        await gpu.sync();
        next = 0;
      }
      t0 = performance.now();
      gpu.write(ring[next++], new Uint32Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.byteLength / 4)));
      gpu.flush();
      copyMs += performance.now() - t0;
    }
  }
  await gpu.sync();
  gpu.release(...ring);
  return { readS: readMs / 1000, copyS: copyMs / 1000 };
}

/** Today's host conversion, per weight, on 256 rows of a [9216, 2304] projection (what the GPU kernels replace). */
function cpuConversionNs(): Record<string, number> {
  const [rows, cols] = [256, 2304];
  const bf = new Uint16Array(rows * cols);
  fillBf16(bf, 99);
  const time = (f: () => void): number => {
    const t0 = performance.now();
    f();
    return ((performance.now() - t0) * 1e6) / (rows * cols);
  };
  let w = new Float32Array(0);
  const widen = time(() => {
    w = new Float32Array(rows * cols);
    const u = new Uint32Array(w.buffer);
    for (let i = 0; i < bf.length; i++) u[i] = bf[i] << 16;
  });
  return { f32: widen, f16: widen + time(() => packF16Rows(w, rows, cols)), q8: widen + time(() => quantizeRows(w, rows, cols, 8)), q4: widen + time(() => quantizeRows(w, rows, cols, 4)) };
}

export async function runLoadBench(o: { dir: string; layers: number; keep: boolean; variants: ('sharded' | 'single-over-4GiB')[]; dtypes: ModelDtype[]; log: (line: string) => void }): Promise<void> {
  const { log } = o;
  const gpu = await acquireGpu();
  log(`adapter: ${gpu.info.description || gpu.info.architecture} (${gpu.info.vendor}), maxBufferSize ${gpu.limits.maxBufferSize}, maxStorageBufferBindingSize ${gpu.limits.maxStorageBufferBindingSize}`);
  const cpuNs = cpuConversionNs();
  log(`host conversion today (CPU, per weight): ${Object.entries(cpuNs).map(([k, v]) => `${k} ${v.toFixed(1)} ns`).join(', ')}`);
  for (const variant of o.variants) {
    const dir = path.join(o.dir, variant);
    let t0 = performance.now();
    await writeCheckpoint(dir, o.layers, variant);
    const files = await readdir(dir);
    const sizes = await Promise.all(files.map(async (f) => (await stat(path.join(dir, f))).size));
    log(`\n${variant}: ${files.filter((f) => f.endsWith('.safetensors')).length} safetensors file(s), largest ${(Math.max(...sizes) / 1e9).toFixed(2)} GB, written in ${((performance.now() - t0) / 1000).toFixed(1)} s (${o.layers} layers)`);
    const { config, checkpoint } = await openGemma2Checkpoint(await modelFilesFromDir(dir));
    const names = [...checkpoint.tensors.keys()].filter((n) => n.startsWith('model.layers.'));
    const weights = names.filter((n) => n.endsWith('_proj.weight')).reduce((s, n) => s + checkpoint.info(n).shape.reduce((a, b) => a * b, 1), 0);
    const bytes = names.reduce((s, n) => s + checkpoint.info(n).end - checkpoint.info(n).begin, 0);
    for (const dtype of o.dtypes) {
      const { readS, copyS } = await hostStepsPeer(gpu, dir, names);
      const rss0 = process.memoryUsage().rss;
      const ab0 = process.memoryUsage().arrayBuffers;
      let peak = rss0;
      let peakAb = ab0;
      const sample = (): void => {
        const m = process.memoryUsage();
        peak = Math.max(peak, m.rss);
        peakAb = Math.max(peakAb, m.arrayBuffers);
      };
      const sampler = setInterval(sample, 20);
      const elu0 = performance.eventLoopUtilization();
      t0 = performance.now();
      const engine = await GemmaEngine.load(gpu, checkpoint, config, [], { dtype, layers: [config.numHiddenLayers - 1] });
      await gpu.sync();
      const loadS = (performance.now() - t0) / 1000;
      const elu = performance.eventLoopUtilization(elu0);
      clearInterval(sampler);
      sample();
      engine.dispose();
      gpu.pool.trim();
      // Host work of this path per weight: the reads and the copies into staging buffers, nothing else (the values
      // are never touched on the host). Today's path did the same reads and copies plus its CPU conversion.
      const hostNs = ((readS + copyS) * 1e9) / weights;
      const todayNs = hostNs + cpuNs[dtype];
      const busyNs = (elu.active * 1e6) / weights;
      log(
        `${variant} ${dtype}: load ${loadS.toFixed(2)} s (${(bytes / loadS / 1e9).toPrecision(3)} GB/s), read-only peer ${readS.toFixed(2)} s (${(bytes / readS / 1e9).toPrecision(3)} GB/s), ` +
          `load/read ${(loadS / readS).toFixed(2)}; host work ${hostNs.toFixed(2)} ns/weight (read ${((readS * 1e9) / weights).toFixed(2)} + copy ${((copyS * 1e9) / weights).toFixed(2)}), ` +
          `the staging copy that replaced today's CPU conversion (${cpuNs[dtype].toFixed(1)} ns/weight) is ${(cpuNs[dtype] / ((copyS * 1e9) / weights)).toFixed(0)}× cheaper; ` +
          `all host work vs today's path (${todayNs.toFixed(1)} ns/weight, same reads and copies + conversion): ${(todayNs / hostNs).toFixed(1)}× lower; ` +
          `event-loop busy during the load ${busyNs.toFixed(1)} ns/weight (on SwiftShader this includes the emulated GPU); ` +
          `host ArrayBuffers peak +${((peakAb - ab0) / 2 ** 20).toFixed(0)} MiB, RSS peak +${((peak - rss0) / 2 ** 20).toFixed(0)} MiB (${(peak / 2 ** 20).toFixed(0)} MiB total)`,
      );
    }
    if (!o.keep) await rm(dir, { recursive: true, force: true });
  }
  gpu.destroy();
}
