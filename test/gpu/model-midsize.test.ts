// Real-size code paths at CI size: BF16 shards with an index, head_dim 256, 26 layers, weights converted on the
// GPU to every precision; resid_post of every layer against the float64 forward on the same (rounded) weights.
import { describe, it } from 'vitest';
import { SafetensorsCheckpoint } from '../../src/formats/index.js';
import { GemmaEngine, type ModelDtype } from '../../src/model/index.js';
import { expectRel } from '../helpers/assert.js';
import { testGpu } from '../helpers/gpu.js';
import { MIDSIZE, midsizeCheckpoint, projections } from '../helpers/midsize-model.js';
import { gemmaForwardRef } from '../ref/gemma-forward.js';
import { dequantizedRef } from '../ref/proj-matmul.js';
import { TOL } from '../tolerances.js';

const { files, weights } = midsizeCheckpoint();
const [BATCH, SEQ] = [2, 9];
const ids = Int32Array.from({ length: BATCH * SEQ }, (_, i) => (i % SEQ === 0 ? 2 : (i * 53 + 7) % MIDSIZE.vocabSize));
const LAYERS = Array.from({ length: MIDSIZE.numHiddenLayers }, (_, l) => l);

/** What the GPU computes with: projection weights after the dtype's round trip (DESIGN.md scheme). */
function effectiveWeights(dtype: Exclude<ModelDtype, 'f16'>): (name: string) => ArrayLike<number> {
  const shapes = new Map(projections(MIDSIZE).map(([n, out, inp]) => [n, [out, inp]]));
  const cache = new Map<string, ArrayLike<number>>();
  return (name) => {
    const proj = [...shapes.keys()].find((n) => name.endsWith(`${n}.weight`));
    const w = weights.get(name)!;
    if (!proj || dtype === 'f32') return w;
    if (!cache.has(name)) {
      const [rows, cols] = shapes.get(proj)!;
      cache.set(name, dequantizedRef(w, rows, cols, dtype === 'q8' ? 8 : 4));
    }
    return cache.get(name)!;
  };
}

describe('a mid-size Gemma-2-2B-shaped checkpoint (BF16, 3 shards + index, head_dim 256, 26 layers)', () => {
  // f16 packing is checked bit for bit in convert-weights.test.ts; here the precisions whose paths differ most
  for (const dtype of ['f32', 'q8', 'q4'] as const) {
    it(`${dtype}: resid_post of all 26 layers matches the float64 forward`, async () => {
      const gpu = await testGpu();
      const model = await SafetensorsCheckpoint.open(files);
      const engine = await GemmaEngine.load(gpu, model, MIDSIZE, [], { dtype, layers: LAYERS });
      const out = await engine.forward(ids, BATCH, SEQ);
      const ref = gemmaForwardRef(MIDSIZE, effectiveWeights(dtype), ids, BATCH, SEQ, MIDSIZE.numHiddenLayers - 1);
      const errs: string[] = [];
      for (const l of LAYERS) errs.push(expectRel(await gpu.read(out.residPost.get(l)!), ref[l], TOL.resid, `${dtype} resid_post[${l}]`).toExponential(1));
      console.log(`midsize ${dtype} errors per layer: ${errs.join(' ')}`);
      out.release();
      engine.dispose();
    });
  }
});
