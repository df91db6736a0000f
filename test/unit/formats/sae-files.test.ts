import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors/index.js';
import {
  type SaeWeights, SafetensorsFile, loadSaeFiles, modelFilesFromMap, parseGemmaScopeNpz, parseNpz, saeToSaelens, writeNpz, writeSafetensors,
} from '../../../src/formats/index.js';
import { modelFilesFromDir } from '../../../src/formats/node-files.js';
import { FIXTURES_DIR, fixtureBytes } from '../../helpers/fixtures.js';
import { sameBits } from './bits.js';

const saelensRef = await SafetensorsFile.open(await fixtureBytes('sae/saelens/sae_weights.safetensors'), 'ref');
const ref: Record<string, Float32Array> = {};
for (const k of saelensRef.tensors.keys()) ref[k] = await saelensRef.readF32(k);

function expectRefWeights(sae: SaeWeights): void {
  expect(sae).toMatchObject({ architecture: 'jumprelu', dIn: 64, dSae: 256, applyBDecToInput: false, normalizeActivations: 'none' });
  for (const k of ['W_enc', 'W_dec', 'b_enc', 'b_dec', 'threshold'] as const) expect(sameBits(sae[k], ref[k]), k).toBe(true);
}

/** saeToSaelens output (cfg.json as text) as a folder. */
function asFolder(out: { 'cfg.json': string; 'sae_weights.safetensors': Uint8Array }, label: string): ReturnType<typeof modelFilesFromMap> {
  return modelFilesFromMap({ 'cfg.json': new TextEncoder().encode(out['cfg.json']), 'sae_weights.safetensors': out['sae_weights.safetensors'] }, label);
}

async function rejection(p: Promise<unknown>): Promise<InputError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(InputError);
  return e as InputError;
}

const cfgText = new TextDecoder().decode(await fixtureBytes('sae/saelens/cfg.json'));
const weightsBytes = new Uint8Array(await fixtureBytes('sae/saelens/sae_weights.safetensors'));

describe('SAE files', () => {
  it('Gemma Scope params.npz and the SAELens folder give the same weights', async () => {
    const npz = await loadSaeFiles(await modelFilesFromDir(path.join(FIXTURES_DIR, 'sae')), { expectedDIn: 64 });
    expectRefWeights(npz);
    expect(npz.source).toMatch(/params\.npz$/);
    expectRefWeights(await loadSaeFiles(await modelFilesFromDir(path.join(FIXTURES_DIR, 'sae/saelens')), { expectedDIn: 64 }));
  });

  it('a deflate-compressed params.npz (np.savez_compressed) loads too', async () => {
    const arrays = parseNpz(await fixtureBytes('sae/params.npz'), 'p');
    const compressed = writeNpz(Object.fromEntries([...arrays].map(([k, a]) => [k, { data: a.data as Float32Array, shape: a.shape }])), { compress: true });
    expect(compressed.length).toBeLessThan(134516);
    expectRefWeights(parseGemmaScopeNpz(compressed, 'params.npz'));
  });

  it('saeToSaelens round-trips JumpReLU and TopK SAEs through loadSaeFiles', async () => {
    const jr = parseGemmaScopeNpz(await fixtureBytes('sae/params.npz'), 'params.npz');
    const out = saeToSaelens(jr);
    expectRefWeights(await loadSaeFiles(asFolder(out, 'written')));
    const topk: SaeWeights = { ...jr, architecture: 'topk', threshold: undefined, k: 8, applyBDecToInput: true };
    delete topk.threshold;
    const back = await loadSaeFiles(asFolder(saeToSaelens(topk), 'tk'));
    expect(back).toMatchObject({ architecture: 'topk', k: 8, applyBDecToInput: true, dIn: 64, dSae: 256 });
    expect(back.threshold).toBeUndefined();
    const relu = await loadSaeFiles(asFolder(saeToSaelens({ ...topk, architecture: 'relu', k: undefined }), 'relu'));
    expect(relu.architecture).toBe('relu');
    expect(JSON.parse(saeToSaelens(relu)['cfg.json'])).toMatchObject({ architecture: 'standard', d_in: 64, d_sae: 256 });
  });

  it('a SAELens JumpReLU with log_threshold gets threshold = exp(log_threshold)', async () => {
    const logT = ref.threshold.map(Math.log);
    const w = writeSafetensors({
      W_enc: { dtype: 'F32', shape: [64, 256], data: ref.W_enc }, W_dec: { dtype: 'F32', shape: [256, 64], data: ref.W_dec },
      b_enc: { dtype: 'F32', shape: [256], data: ref.b_enc }, b_dec: { dtype: 'F32', shape: [64], data: ref.b_dec },
      log_threshold: { dtype: 'F32', shape: [256], data: logT },
    });
    const sae = await loadSaeFiles(asFolder({ 'cfg.json': cfgText, 'sae_weights.safetensors': w }, 'lt'));
    for (let i = 0; i < 256; i++) expect(sae.threshold![i]).toBeCloseTo(ref.threshold[i], 6);
  });
});

describe('bad SAE files', () => {
  const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
  const withCfg = (edit: (c: Record<string, unknown>) => void): Uint8Array => {
    const c = JSON.parse(cfgText) as Record<string, unknown>;
    edit(c);
    return enc(JSON.stringify(c));
  };
  const cases: [string, Record<string, Uint8Array>, RegExp][] = [
    ['a d_in that is not the model\'s hidden size', { 'cfg.json': enc(cfgText), 'sae_weights.safetensors': weightsBytes }, /the SAE reads vectors of size 64, but the model's hidden size is 32/],
    ['a cfg whose d_sae disagrees with the weights', { 'cfg.json': withCfg((c) => { c.d_sae = 128; }), 'sae_weights.safetensors': weightsBytes }, /^W_enc is \[64, 256\], expected \[64, 128\]$/],
    ['a gated SAE', { 'cfg.json': withCfg((c) => { c.architecture = 'gated'; }), 'sae_weights.safetensors': weightsBytes }, /^unsupported: SAE architecture "gated"/],
    ['a TopK cfg without k', { 'cfg.json': withCfg((c) => { c.architecture = 'topk'; }), 'sae_weights.safetensors': weightsBytes }, /TopK SAE needs k/],
    ['a cfg that is not JSON', { 'cfg.json': enc('{"d_in": 64,'), 'sae_weights.safetensors': weightsBytes }, /^invalid JSON/],
    ['an npz missing threshold', { 'params.npz': writeNpz({ W_enc: { data: ref.W_enc, shape: [64, 256] }, W_dec: { data: ref.W_dec, shape: [256, 64] }, b_enc: { data: ref.b_enc, shape: [256] }, b_dec: { data: ref.b_dec, shape: [64] } }) }, /^missing array threshold$/],
    ['an npz with a transposed W_dec', { 'params.npz': writeNpz({ W_enc: { data: ref.W_enc, shape: [64, 256] }, W_dec: { data: ref.W_dec, shape: [64, 256] }, b_enc: { data: ref.b_enc, shape: [256] }, b_dec: { data: ref.b_dec, shape: [64] }, threshold: { data: ref.threshold, shape: [256] } }) }, /^W_dec is \[64, 256\], expected \[256, 64\]$/],
    ['an empty folder', {}, /no SAE here/],
  ];
  it.each(cases)('rejects %s', async (_w, files, p) => {
    const e = await rejection(loadSaeFiles(modelFilesFromMap(files, 'sae-dir'), { expectedDIn: _w.startsWith('a d_in') ? 32 : undefined }));
    expect(e.problem).toMatch(p);
    expect(e.file.startsWith('sae-dir')).toBe(true);
  });
});
