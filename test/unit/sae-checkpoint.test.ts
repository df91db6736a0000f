import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors/index.js';
import { SafetensorsFile, writeSafetensors, type TensorToWrite } from '../../src/formats/index.js';
import { CHECKPOINT_FORMAT, checkpointFromBytes, checkpointToBytes, initSaeParams, resolveTrainConfig, type SaeCheckpoint } from '../../src/sae/index.js';

function checkpoint(): SaeCheckpoint {
  const config = resolveTrainConfig({ arch: 'jumprelu', d: 5, m: 7, steps: 10, batchSize: 2, lr: 0.01, seed: 3 });
  const params = initSaeParams(config, { threshold: 0.5 });
  const tensors = (s: number) => ({ W_enc: params.W_enc.map((v) => v * s), b_enc: params.b_enc.map(() => s), W_dec: params.W_dec.map((v) => v + s), b_dec: params.b_dec.map(() => -s), log_theta: params.log_theta!.map(() => s) });
  return {
    format: CHECKPOINT_FORMAT, version: 1, config,
    state: { params, step: 4, adamM: tensors(0.5), adamV: tensors(0.25), since: Uint32Array.from({ length: 7 }, (_, i) => i * 1000 + 0x80000000 * (i === 6 ? 1 : 0)), dead: new Float32Array([1, 0.5, 0, 0]) },
    sampler: { kind: 'shuffle', seed: 3, epoch: 1, cursor: 5 },
    log: [{ step: 0, loss: 1, mse: 0.5, l1: 0, l0: 2, aux: 0, windowPairs: 3, deadLatents: 0, lr: 0.01 }],
  };
}

describe('SAE checkpoints', () => {
  it('round-trip through safetensors bytes without loss', async () => {
    const ck = checkpoint();
    const back = await checkpointFromBytes(checkpointToBytes(ck), 'ck.safetensors');
    expect(back).toEqual(ck);
  });

  it('reject other files and wrong shapes with an InputError naming the file', async () => {
    const notOurs = writeSafetensors({ x: { dtype: 'F32', shape: [1], data: new Float32Array(1) } }, { format: 'pt' });
    await expect(checkpointFromBytes(notOurs, 'model.safetensors')).rejects.toThrow(/model\.safetensors: not a deltascope SAE checkpoint/);
    // the same tensors under a config that says d = 6
    const good = await SafetensorsFile.open(checkpointToBytes(checkpoint()), 'good');
    const tensors: Record<string, TensorToWrite> = {};
    for (const [name, info] of good.tensors) tensors[name] = { dtype: info.dtype, shape: info.shape, data: new Uint8Array(await good.readRaw(name)) };
    const config = JSON.stringify({ ...JSON.parse(good.metadata.config), d: 6 });
    const bad = writeSafetensors(tensors, { ...good.metadata, config });
    await expect(checkpointFromBytes(bad, 'bad.safetensors')).rejects.toThrow(/bad\.safetensors: param\.W_enc is \[5,7\], expected \[6,7\]/);
    await expect(checkpointFromBytes(bad, 'bad.safetensors')).rejects.toBeInstanceOf(InputError);
  });
});
