import { z } from 'zod';
import { InputError } from '../errors/index.js';
import { formatZodIssues } from '../formats/index.js';
import { demoPath } from './experiment-inputs.js';
import { parseRunConfig, type RunConfig } from './run-config.js';

/** public/demo/demo.json, written by tools/demo/make_demo.py: where the demo assets are and how to run them. */
const DemoJsonSchema = z.object({
  name: z.string(),
  model: z.string(),
  tokenizer: z.string(),
  adapters: z.array(z.string()).min(1),
  dataset: z.string(),
  layers: z.array(z.number().int().min(0)).min(1),
  saes: z.record(z.string(), z.string()),
  sequenceLength: z.number().int().min(2),
  maxSequences: z.number().int().min(1),
  dtype: z.enum(['f32', 'f16', 'q8', 'q4']).default('f32'),
  suggestedSae: z.object({
    arch: z.enum(['topk', 'jumprelu', 'relu-l1']),
    width: z.number().int().min(1),
    k: z.number().int().min(1).optional(),
    l1: z.number().positive().optional(),
    l0: z.number().positive().optional(),
    bandwidth: z.number().positive().optional(),
    threshold: z.number().positive().optional(),
  }),
});

/** Training budget that keeps the whole demo within a few minutes on a CPU-only WebGPU (SwiftShader). */
const DEMO_TRAINING = { steps: 60, batchSize: 256, lr: 0.004, warmupSteps: 6, evalEvery: 20, heldOutFraction: 0.2 };

const trim = (p: string) => p.replace(/^\.?\/+/, '').replace(/\/+$/, '');

/** The run config of the built-in demo; asset paths must follow the layout `demoPath` resolves. */
export function demoRunConfig(json: unknown, fileName = 'demo/demo.json'): RunConfig {
  const parsed = DemoJsonSchema.safeParse(json);
  if (!parsed.success) throw new InputError(fileName, formatZodIssues(parsed.error).join('; '));
  const d = parsed.data;
  const expect = (got: string, want: string, what: string) => {
    if (trim(got) !== trim(want)) throw new InputError(fileName, `${what} is at "${got}", the app expects "${want}"`);
  };
  expect(d.model, demoPath({ kind: 'model' }), 'model');
  expect(d.tokenizer, demoPath({ kind: 'tokenizer' }), 'tokenizer');
  expect(d.dataset, demoPath({ kind: 'dataset' }), 'dataset');
  const adapters = d.adapters.map((p) => {
    const name = trim(p).split('/').pop() ?? p;
    expect(p, demoPath({ kind: 'adapter', name }), `adapter ${name}`);
    return { name, source: { kind: 'demo' as const } };
  });
  const pretrained = Object.entries(d.saes).map(([layer, p]) => {
    expect(p.replace(/params\.npz$/, ''), demoPath({ kind: 'pretrained', layer: Number(layer) }), `SAE of layer ${layer}`);
    return { layer: Number(layer), format: 'gemma-scope' as const, source: { kind: 'demo' as const } };
  });
  const { arch, ...settings } = d.suggestedSae;
  return parseRunConfig(
    {
      version: 1,
      name: 'demo',
      model: { kind: 'demo' },
      tokenizer: { kind: 'demo' },
      dataset: { source: { kind: 'sample' }, sequences: Math.min(d.maxSequences, 32), sequenceLength: d.sequenceLength },
      adapters,
      layers: d.layers,
      precision: d.dtype,
      sae: { architecture: arch, ...settings, ...DEMO_TRAINING },
      pretrained: pretrained.filter((p) => d.layers.includes(p.layer)),
      controls: { seedPair: true, randomDirections: true, randomLora: true, bootstrap: 200 },
      principalK: [8, 16],
      seed: 0,
    },
    fileName,
  );
}
