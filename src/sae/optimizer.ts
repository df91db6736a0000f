import type { Gpu, GpuTensor } from '../gpu/index.js';
import { adamUpdate, type AdamHyper } from './kernels/sae-adam.js';
import type { SaeGpu } from './sae-gpu.js';

/** Host layout of one tensor per parameter name (W_enc [d, m], b_enc [m], W_dec [m, d], b_dec [d], log_theta [m]). */
export type ParamTensors = Record<string, Float32Array>;

/** One parameter tensor on the GPU with its gradient and Adam moments. */
interface Slot {
  name: string;
  p: GpuTensor;
  g: GpuTensor;
  m: GpuTensor;
  v: GpuTensor;
}

/** Gradients (per shard for the matrices) and torch-style Adam state of an SaeGpu's parameters. */
export class SaeOptimizer {
  readonly slots: Slot[] = [];
  /** per shard [mc, d] gradients of W_encᵀ and W_dec */
  readonly gWEncT: GpuTensor[];
  readonly gWDec: GpuTensor[];
  readonly gBEnc: GpuTensor;
  readonly gBDec: GpuTensor;
  readonly gLogTheta: GpuTensor | null;

  constructor(
    private readonly gpu: Gpu,
    private readonly sae: SaeGpu,
  ) {
    const zeros = (t: GpuTensor, label: string): GpuTensor => {
      const z = gpu.empty(t.shape, 'f32', label);
      gpu.write(z, new Float32Array(t.shape.reduce((a, b) => a * b, 1)));
      return z;
    };
    const add = (name: string, p: GpuTensor): GpuTensor => {
      const slot = { name, p, g: zeros(p, `${name}.grad`), m: zeros(p, `${name}.adam_m`), v: zeros(p, `${name}.adam_v`) };
      this.slots.push(slot);
      return slot.g;
    };
    this.gWEncT = sae.shards.map((s, i) => add(`W_enc#${i}`, s.wEncT));
    this.gWDec = sae.shards.map((s, i) => add(`W_dec#${i}`, s.wDec));
    this.gBEnc = add('b_enc', sae.bEnc);
    this.gBDec = add('b_dec', sae.bDec);
    this.gLogTheta = sae.logTheta ? add('log_theta', sae.logTheta) : null;
  }

  /** Adam update number t (1-based) of every parameter. */
  async update(t: number, h: AdamHyper): Promise<void> {
    for (const s of this.slots) await adamUpdate(this.gpu, s.p, s.g, s.m, s.v, t, h);
  }

  /** Gradients, first or second moments in the host layout. */
  async read(which: 'g' | 'm' | 'v'): Promise<ParamTensors> {
    return gatherSlots(this.gpu, this.sae, this.slots, which);
  }

  /** Restores the Adam moments (checkpoint resume). */
  write(which: 'm' | 'v', tensors: ParamTensors): void {
    scatterSlots(this.gpu, this.sae, this.slots, which, tensors);
  }

  release(): void {
    for (const s of this.slots) this.gpu.release(s.g, s.m, s.v);
  }
}

function baseName(name: string): string {
  return name.split('#')[0];
}

async function gatherSlots(gpu: Gpu, sae: SaeGpu, slots: Slot[], which: 'g' | 'm' | 'v'): Promise<ParamTensors> {
  const { d, m } = sae;
  const out: ParamTensors = { W_enc: new Float32Array(d * m), W_dec: new Float32Array(m * d) };
  for (const s of slots) {
    const data = await gpu.read(s[which]);
    const name = baseName(s.name);
    if (name === 'W_enc' || name === 'W_dec') {
      const shard = sae.shards[Number(s.name.split('#')[1])];
      if (name === 'W_dec') out.W_dec.set(data, shard.c0 * d);
      else for (let i = 0; i < shard.mc; i++) for (let c = 0; c < d; c++) out.W_enc[c * m + shard.c0 + i] = data[i * d + c];
    } else out[name] = data;
  }
  return out;
}

function scatterSlots(gpu: Gpu, sae: SaeGpu, slots: Slot[], which: 'm' | 'v', tensors: ParamTensors): void {
  const { d, m } = sae;
  for (const s of slots) {
    const name = baseName(s.name);
    const src = tensors[name];
    if (!src) throw new Error(`optimizer state: missing ${name}`);
    if (name === 'W_enc' || name === 'W_dec') {
      const shard = sae.shards[Number(s.name.split('#')[1])];
      const part = new Float32Array(shard.mc * d);
      if (name === 'W_dec') part.set(src.subarray(shard.c0 * d, (shard.c0 + shard.mc) * d));
      else for (let i = 0; i < shard.mc; i++) for (let c = 0; c < d; c++) part[i * d + c] = src[c * m + shard.c0 + i];
      gpu.write(s[which], part);
    } else gpu.write(s[which], src);
  }
}
