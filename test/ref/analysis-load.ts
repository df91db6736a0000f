import { parseNpy, parseNpz, type NpyArray } from '../../src/formats/index.js';
import type { SaeDictionary } from '../../src/analysis/index.js';

const inBrowser = typeof window !== 'undefined' && typeof document !== 'undefined';

/**
 * Fixture bytes in Node and in the browser. Not test/helpers/fixtures.ts: its __FIXTURES_DIR__ define does
 * not reach the browser project at the moment, so the folder is derived from the test server's root.
 */
export async function fixtureBytes(relPath: string): Promise<ArrayBuffer> {
  if (inBrowser) {
    const { server } = await import('vitest/browser');
    const root = (server.config as { root: string }).root.replace(/\/+$/, '');
    const res = await fetch(`/@fs${root.slice(0, root.lastIndexOf('/'))}/shared/fixtures/${relPath}`);
    if (!res.ok) throw new Error(`fixture ${relPath}: HTTP ${res.status}`);
    return res.arrayBuffer();
  }
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const buf = await fs.readFile(path.resolve(import.meta.dirname, '../../../shared/fixtures', relPath));
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

/** Fixture loading shared by the analysis tests (Node and browser). */
export interface LoadedMatrix {
  rows: number;
  cols: number;
  data: Float32Array | Float64Array;
  shape: number[];
}

function asFloat(a: NpyArray): Float32Array | Float64Array {
  if (a.data instanceof Float32Array || a.data instanceof Float64Array) return a.data;
  if (a.data instanceof BigInt64Array) return Float64Array.from(a.data, Number);
  return Float64Array.from(a.data as ArrayLike<number>);
}

export async function fixtureNpy(rel: string): Promise<LoadedMatrix> {
  const a = parseNpy(await fixtureBytes(rel), rel);
  const rows = a.shape[0] ?? 1;
  const cols = a.shape.length > 1 ? a.shape.slice(1).reduce((x, y) => x * y, 1) : 1;
  return { rows, cols, data: asFloat(a), shape: a.shape };
}

export async function fixtureJsonFile<T>(rel: string): Promise<T> {
  return JSON.parse(new TextDecoder().decode(await fixtureBytes(rel))) as T;
}

function f32(a: NpyArray | undefined, name: string): Float32Array {
  if (!a || !(a.data instanceof Float32Array)) throw new Error(`params.npz: ${name} missing or not f4`);
  return a.data;
}

/** The Gemma Scope-format fixture SAE, read straight from params.npz (no SAE loader involved). */
export async function fixtureGemmaScopeSae(): Promise<SaeDictionary> {
  const npz = parseNpz(await fixtureBytes('sae/params.npz'), 'params.npz');
  const W_enc = npz.get('W_enc');
  if (!W_enc) throw new Error('params.npz: W_enc missing');
  const [dIn, dSae] = W_enc.shape;
  return {
    architecture: 'jumprelu',
    dIn,
    dSae,
    W_enc: f32(W_enc, 'W_enc'),
    W_dec: f32(npz.get('W_dec'), 'W_dec'),
    b_enc: f32(npz.get('b_enc'), 'b_enc'),
    b_dec: f32(npz.get('b_dec'), 'b_dec'),
    threshold: f32(npz.get('threshold'), 'threshold'),
    applyBDecToInput: false,
    normalizeActivations: 'none',
  };
}

/** The SAELens copy of the fixture SAE, read with SafetensorsFile + cfg.json (no SAE loader involved). */
export async function fixtureSaeLensSae(): Promise<SaeDictionary> {
  const { SafetensorsFile } = await import('../../src/formats/index.js');
  const cfg = await fixtureJsonFile<{ architecture: 'jumprelu'; d_in: number; d_sae: number; apply_b_dec_to_input: boolean; normalize_activations: string }>('sae/saelens/cfg.json');
  const st = await SafetensorsFile.open(await fixtureBytes('sae/saelens/sae_weights.safetensors'), 'sae_weights.safetensors');
  return {
    architecture: cfg.architecture,
    dIn: cfg.d_in,
    dSae: cfg.d_sae,
    W_enc: await st.readF32('W_enc'),
    W_dec: await st.readF32('W_dec'),
    b_enc: await st.readF32('b_enc'),
    b_dec: await st.readF32('b_dec'),
    threshold: await st.readF32('threshold'),
    applyBDecToInput: cfg.apply_b_dec_to_input,
    normalizeActivations: cfg.normalize_activations,
  };
}
