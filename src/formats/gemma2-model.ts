import { InputError } from '../errors/index.js';
import { SafetensorsCheckpoint } from './checkpoint.js';
import { isFloatDtype } from './dtype.js';
import { type Gemma2Config, PROJECTION_KINDS, parseGemma2Config, projectionParent, projectionShape } from './gemma2-config.js';
import { type ModelFiles, fileLabel, requireText } from './model-files.js';

export interface Gemma2Checkpoint {
  config: Gemma2Config;
  checkpoint: SafetensorsCheckpoint;
}

/** Every tensor a Gemma-2 forward pass needs, with its shape (HF names). */
export function expectedGemma2Tensors(c: Gemma2Config): Map<string, number[]> {
  const h = c.hiddenSize;
  const m = new Map<string, number[]>([['model.embed_tokens.weight', [c.vocabSize, h]], ['model.norm.weight', [h]]]);
  if (!c.tieWordEmbeddings) m.set('lm_head.weight', [c.vocabSize, h]);
  for (let l = 0; l < c.numHiddenLayers; l++) {
    for (const n of ['input_layernorm', 'post_attention_layernorm', 'pre_feedforward_layernorm', 'post_feedforward_layernorm']) {
      m.set(`model.layers.${l}.${n}.weight`, [h]);
    }
    for (const k of PROJECTION_KINDS) m.set(`model.layers.${l}.${projectionParent(k)}.${k}.weight`, projectionShape(c, k));
  }
  return m;
}

/** Opens config.json and the weights of a Gemma-2 folder and checks every needed tensor's presence, dtype and shape. */
export async function openGemma2Checkpoint(files: ModelFiles): Promise<Gemma2Checkpoint> {
  const config = parseGemma2Config(await requireText(files, 'config.json'), fileLabel(files, 'config.json'));
  const checkpoint = await SafetensorsCheckpoint.open(files);
  for (const [name, shape] of expectedGemma2Tensors(config)) {
    if (!checkpoint.has(name)) throw new InputError(files.label, `missing tensor ${name}`);
    const t = checkpoint.info(name);
    const file = checkpoint.fileOf(name).fileName;
    if (!isFloatDtype(t.dtype)) throw new InputError(file, `tensor ${name} has dtype ${t.dtype}, expected F32, F16 or BF16`);
    if (t.shape.join(',') !== shape.join(',')) {
      throw new InputError(file, `tensor ${name} is [${t.shape.join(', ')}], config.json implies [${shape.join(', ')}]`);
    }
  }
  return { config, checkpoint };
}
