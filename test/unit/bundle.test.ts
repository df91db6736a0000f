import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors/index.js';
import { readBundle, readBundleManifest, writeBundle, type BundleContents } from '../../src/formats/bundle.js';
import { metricsTables, toCsv } from '../../src/formats/bundle-csv.js';
import { crc32, readZipDirectory, unsafeEntryName } from '../../src/formats/bundle-zip.js';
import { fixtureBytes } from '../helpers/fixtures.js';
import { fixtureMetrics } from './bundle-sample.js';

async function sampleContents(): Promise<BundleContents> {
  const sae = new Uint8Array(await fixtureBytes('sae/saelens/sae_weights.safetensors'));
  return {
    manifest: {
      app: { name: 'deltascope', version: '0.1.0', commit: 'abc1234' },
      createdAt: '2026-11-25T09:00:00.000Z',
      config: { version: 1, layers: [0, 1] },
      seeds: { run: 7 },
      inputs: { model: null, adapters: [], tokenizer: null, dataset: null, pretrained: [] },
      stages: { load: true, extract: true, train: true, evaluate: true },
    },
    metrics: await fixtureMetrics(),
    saes: [{ layer: 1, adapter: 'r16', cfg: { architecture: 'jumprelu', d_in: 64, d_sae: 256 }, weights: sae }],
    figures: { 'delta-norms': '<svg xmlns="http://www.w3.org/2000/svg"><text>&lt;script&gt;</text></svg>' },
  };
}

async function expectRefused(p: Promise<unknown> | (() => unknown), pattern: RegExp): Promise<void> {
  let err: unknown;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    err = e;
  }
  expect(err, 'should have been refused').toBeInstanceOf(InputError);
  expect((err as InputError).file).toBe('b.zip');
  expect((err as Error).message).toMatch(pattern);
}

/** Offset of the first central-directory header (signature PK\1\2). */
function centralDirOffset(zip: Uint8Array): number {
  for (let i = zip.length - 22; i >= 0; i--) {
    if (zip[i] === 0x50 && zip[i + 1] === 0x4b && zip[i + 2] === 5 && zip[i + 3] === 6) {
      return new DataView(zip.buffer, zip.byteOffset).getUint32(i + 16, true);
    }
  }
  throw new Error('no EOCD');
}

describe('result bundles', () => {
  it('round-trips manifest, metrics, SAE weights and figures', async () => {
    const contents = await sampleContents();
    const zip = await writeBundle(contents);
    const b = await readBundle(zip, 'b.zip');
    expect(b.manifest.format).toBe('deltascope-bundle');
    expect(b.manifest.config).toEqual({ version: 1, layers: [0, 1] });
    expect(b.metrics).toEqual(contents.metrics);
    expect(b.saes).toHaveLength(1);
    expect(b.saes[0].weights).toEqual(contents.saes[0].weights);
    expect(b.figures.get('delta-norms')).toContain('&lt;script&gt;');
    expect(b.manifest.entries.map((e) => e.path)).toContain('metrics/delta_norms.csv');
    expect(readBundleManifest(zip, 'b.zip').seeds).toEqual({ run: 7 });
  });

  it('writes the fixture delta norms into the CSV at full precision', async () => {
    const m = await fixtureMetrics();
    const csv = toCsv(metricsTables(m).delta_norms);
    expect(csv.split('\r\n')[0]).toBe('layer,adapter,mean_delta_norm,mean_base_norm,relative,tokens');
    expect(csv).toContain('0,r4,1.4392276847504077,');
  });

  it('refuses a corrupt zip with a clear message', async () => {
    const zip = await writeBundle(await sampleContents());
    await expectRefused(readBundle(zip.slice(0, zip.length - 40), 'b.zip'), /not a valid zip file/);
    const flipped = zip.slice();
    const metricsAt = readZipDirectory(zip, 'b.zip').find((e) => e.name === 'metrics.json')!.localHeaderOffset;
    flipped[metricsAt + 60] ^= 0xff;
    await expectRefused(readBundle(flipped, 'b.zip'), /corrupt bundle: entry "metrics.json"/);
    await expectRefused(readBundle(strToU8('hello, not a zip at all, just text padding'), 'b.zip'), /not a valid zip file/);
  });

  it('refuses entries that climb out with ../, absolute paths or backslashes', async () => {
    for (const name of ['../evil.txt', 'figures/../../evil', '/etc/passwd', 'a\\b.txt', 'C:/x']) {
      const zip = zipSync({ 'manifest.json': strToU8('{}'), [name]: strToU8('x') });
      await expectRefused(readBundle(zip, 'b.zip'), /refused: entry name/);
    }
    expect(unsafeEntryName('sae/layer-1/r16/cfg.json')).toBeNull();
    expect(unsafeEntryName('a/../b')).toMatch(/\.\./);
  });

  it('refuses an oversized bundle from its central directory, before inflating', async () => {
    const zip = await writeBundle(await sampleContents());
    await expectRefused(readBundle(zip, 'b.zip', { maxZipBytes: 1000, maxTotalBytes: 1e9, maxEntryBytes: 1e9, maxEntries: 100 }), /more than the .* limit/);
    // Declare 3 GiB uncompressed for one entry without providing it: a zip bomb's header.
    const bomb = zip.slice();
    const view = new DataView(bomb.buffer);
    view.setUint32(centralDirOffset(bomb) + 24, 3 * 1024 ** 3, true);
    await expectRefused(readBundle(bomb, 'b.zip'), /per-entry limit/);
    const many = zipSync(Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${i}`, new Uint8Array(1000)])));
    await expectRefused(readBundle(many, 'b.zip', { maxZipBytes: 1e9, maxTotalBytes: 20_000, maxEntryBytes: 1e9, maxEntries: 100 }), /expands to more than/);
  });

  it('refuses a foreign zip (no manifest, or another format)', async () => {
    await expectRefused(readBundle(zipSync({ 'readme.txt': strToU8('hi') }), 'b.zip'), /not a deltascope bundle: the zip has no manifest.json/);
    const other = zipSync({ 'manifest.json': strToU8(JSON.stringify({ format: 'something-else' })) });
    await expectRefused(readBundle(other, 'b.zip'), /not a deltascope bundle: manifest.json has format "something-else"/);
    await expectRefused(readBundle(new Uint8Array(await fixtureBytes('sae/params.npz')), 'b.zip'), /no manifest.json/);
  });

  it('refuses a bundle whose entries differ from its manifest', async () => {
    const good = await readBundle(await writeBundle(await sampleContents()), 'b.zip');
    const manifest = strToU8(JSON.stringify(good.manifest));
    const extra = zipSync({ 'manifest.json': manifest, 'metrics.json': strToU8('{}'), 'x.js': strToU8('alert(1)') });
    await expectRefused(readBundle(extra, 'b.zip'), /not listed in manifest.json|does not match its SHA-256|manifest says/);
    const tampered = { ...good.manifest, entries: good.manifest.entries.map((e) => (e.path === 'metrics.json' ? { ...e, bytes: 2 } : e)) };
    await expectRefused(readBundle(zipSync({ 'manifest.json': strToU8(JSON.stringify(tampered)), 'metrics.json': strToU8('{}') }), 'b.zip'), /SHA-256|missing/);
  });

  it('names every schema problem of an invalid manifest', async () => {
    const zip = zipSync({ 'manifest.json': strToU8(JSON.stringify({ format: 'deltascope-bundle', version: 1, seeds: { a: 'x' } })) });
    await expectRefused(readBundle(zip, 'b.zip'), /manifest.json is invalid: .*app.*seeds\.a/);
  });

  it('computes the standard CRC-32', () => {
    expect(crc32(strToU8('123456789'))).toBe(0xcbf43926);
  });
});

describe('export writes only what is safe to pass on', () => {
  it('neutralises CSV cells a spreadsheet would run as formulas (OWASP rule), leaving numbers alone', () => {
    const csv = toCsv({ columns: ['name', 'v'], rows: [['=1+2', -3], ['+A1', 1], ['-2', 0], ['@SUM(A1)', 2], ['\tx', 3], ['plain', 4], ['=HYPERLINK("x","y")', 5]] });
    expect(csv.split('\r\n')).toEqual(["name,v", "'=1+2,-3", "'+A1,1", "'-2,0", "'@SUM(A1),2", "'\tx,3", 'plain,4', `"'=HYPERLINK(""x"",""y"")",5`, '']);
  });
  it('refuses to write a figure that carries script, handlers or external links', async () => {
    const contents = await sampleContents();
    for (const svg of ['<svg><script>alert(1)</script></svg>', '<svg onload="x()"></svg>', '<svg><a href="javascript:x()"/></svg>', '<svg><foreignObject/></svg>']) {
      await expect(writeBundle({ ...contents, figures: { f: svg } })).rejects.toThrow(/figure f carries/);
    }
  });
});
