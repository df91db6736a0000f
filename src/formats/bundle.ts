import { zipSync, type Zippable } from 'fflate';
import { InputError } from '../errors/index.js';
import { metricsTables, toCsv } from './bundle-csv.js';
import { formatZodIssues } from './bundle-issues.js';
import { parseStrictJson } from './strict-json.js';
import {
  BUNDLE_FORMAT,
  BUNDLE_VERSION,
  BundleManifestSchema,
  ResultMetricsSchema,
  type BundleEntry,
  type BundleManifest,
  type ResultMetrics,
} from './bundle-schema.js';
import { DEFAULT_ZIP_LIMITS, extractZipEntry, readZipDirectory, type ZipEntryInfo, type ZipLimits } from './bundle-zip.js';

/**
 * Result bundles: one zip holding everything needed to see a run's results again without a GPU.
 *
 *   manifest.json                      format, versions, redacted run config, seeds, input hashes, entry list
 *   metrics.json                       ResultMetrics (every panel's numbers)
 *   metrics/<table>.csv                the same numbers as flat tables
 *   sae/layer-<L>/<adapter>/cfg.json   SAE weights in SAELens layout (+ sae_weights.safetensors)
 *   figures/<panel>.svg                the panels, rendered by the app's own components
 */

export interface BundleSae {
  layer: number;
  adapter: string;
  cfg: Record<string, unknown>;
  /** sae_weights.safetensors bytes (SAELens tensor names). */
  weights: Uint8Array;
}

export interface BundleContents {
  manifest: Omit<BundleManifest, 'format' | 'version' | 'entries'>;
  metrics: ResultMetrics;
  saes: BundleSae[];
  /** Figure name (kebab-case, no extension) → SVG text. */
  figures: Record<string, string>;
}

export interface Bundle {
  manifest: BundleManifest;
  metrics: ResultMetrics;
  saes: BundleSae[];
  figures: Map<string, string>;
}

const enc = new TextEncoder();

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** A path segment made only of safe characters, so names from configs never become paths. */
export function safeSegment(s: string): string {
  const cleaned = s.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  return cleaned.slice(0, 100) || '_';
}

export function saeDir(layer: number, adapter: string): string {
  return `sae/layer-${layer}/${safeSegment(adapter)}`;
}

/** What in an SVG could run or load something when the file is opened on its own, or null. */
export function unsafeSvg(svg: string): string | null {
  if (/<\s*script/i.test(svg)) return 'a <script> element';
  if (/\son[a-z]+\s*=/i.test(svg)) return 'an event-handler attribute';
  if (/<\s*foreignObject/i.test(svg)) return 'a <foreignObject> element';
  if (/(?:href|src)\s*=\s*["']?\s*(?:javascript|data|https?):/i.test(svg)) return 'an external or script link';
  return null;
}

/** Builds the zip. Large SAE weights are stored, small text deflated. */
export async function writeBundle(contents: BundleContents): Promise<Uint8Array> {
  const files = new Map<string, Uint8Array>();
  files.set('metrics.json', enc.encode(JSON.stringify(ResultMetricsSchema.parse(contents.metrics))));
  for (const [stem, table] of Object.entries(metricsTables(contents.metrics))) files.set(`metrics/${stem}.csv`, enc.encode(toCsv(table)));
  for (const sae of contents.saes) {
    const dir = saeDir(sae.layer, sae.adapter);
    if (files.has(`${dir}/cfg.json`)) throw new Error(`two SAEs map to ${dir}`);
    files.set(`${dir}/cfg.json`, enc.encode(JSON.stringify(sae.cfg, null, 2)));
    files.set(`${dir}/sae_weights.safetensors`, sae.weights);
  }
  for (const [name, svg] of Object.entries(contents.figures)) {
    const unsafe = unsafeSvg(svg);
    if (unsafe) throw new Error(`figure ${name} carries ${unsafe}; figures must be drawn from the metrics, not copied from a file`);
    files.set(`figures/${safeSegment(name)}.svg`, enc.encode(svg));
  }

  const entries: BundleEntry[] = [];
  for (const [path, bytes] of files) entries.push({ path, bytes: bytes.length, sha256: await sha256Hex(bytes) });
  const manifest: BundleManifest = BundleManifestSchema.parse({ format: BUNDLE_FORMAT, version: BUNDLE_VERSION, ...contents.manifest, entries });

  const zippable: Zippable = { 'manifest.json': [enc.encode(JSON.stringify(manifest, null, 2)), { level: 6 }] };
  for (const [path, bytes] of files) zippable[path] = [bytes, { level: path.endsWith('.safetensors') ? 0 : 6 }];
  return zipSync(zippable, { mtime: new Date(manifest.createdAt || 0) });
}

function parseJsonEntry(bytes: Uint8Array, fileName: string, entry: string): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new InputError(fileName, `${entry} is not valid UTF-8`);
  }
  try {
    return parseStrictJson(text, entry);
  } catch (e) {
    throw new InputError(fileName, `${entry} is not valid JSON (${e instanceof InputError ? e.problem : String(e)})`);
  }
}

/** JSON entries are parsed whole; their declared sizes are capped before a byte is inflated. */
const MAX_JSON_ENTRY_BYTES: Record<string, number> = { 'manifest.json': 4 * 1024 ** 2, 'metrics.json': 256 * 1024 ** 2 };
const MAX_SMALL_ENTRY_BYTES = 16 * 1024 ** 2;

function checkEntryCap(entry: ZipEntryInfo, fileName: string): void {
  const cap = MAX_JSON_ENTRY_BYTES[entry.name] ?? (entry.name.endsWith('.safetensors') ? Infinity : MAX_SMALL_ENTRY_BYTES);
  if (entry.bytes > cap) throw new InputError(fileName, `entry "${entry.name}" is ${entry.bytes} bytes uncompressed, more than the ${cap}-byte limit for it`);
}

function manifestFrom(bytes: Uint8Array, dir: ZipEntryInfo[], fileName: string): BundleManifest {
  const entry = dir.find((e) => e.name === 'manifest.json');
  if (!entry) throw new InputError(fileName, 'not a deltascope bundle: the zip has no manifest.json at its root');
  for (const e of dir) checkEntryCap(e, fileName);
  const json = parseJsonEntry(extractZipEntry(bytes, entry, fileName), fileName, 'manifest.json');
  const format = (json as { format?: unknown } | null)?.format;
  if (format !== BUNDLE_FORMAT) {
    throw new InputError(fileName, `not a deltascope bundle: manifest.json has format ${JSON.stringify(format ?? null)?.slice(0, 60)}, expected "${BUNDLE_FORMAT}"`);
  }
  const version = (json as { version?: unknown }).version;
  if (typeof version === 'number' && version > BUNDLE_VERSION) {
    throw new InputError(fileName, `bundle version ${version} was written by a newer deltascope; this one reads version ${BUNDLE_VERSION}`);
  }
  const parsed = BundleManifestSchema.safeParse(json);
  if (!parsed.success) throw new InputError(fileName, `manifest.json is invalid: ${formatZodIssues(parsed.error).join('; ')}`);
  return parsed.data;
}

/** Reads and validates only the manifest (for `deltascope inspect`). */
export function readBundleManifest(bytes: Uint8Array, fileName: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): BundleManifest {
  return manifestFrom(bytes, readZipDirectory(bytes, fileName, limits), fileName);
}

/**
 * Reads a bundle, checking everything before handing anything out: the zip directory (names, sizes), the
 * manifest schema, that the zip holds exactly the listed entries with the listed sizes and hashes, and the
 * metrics schema. Nothing in it is executed; figures are returned as text.
 */
export async function readBundle(bytes: Uint8Array, fileName: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<Bundle> {
  const dir = readZipDirectory(bytes, fileName, limits);
  const manifest = manifestFrom(bytes, dir, fileName);
  const listed = new Map(manifest.entries.map((e) => [e.path, e]));
  const contents = new Map<string, Uint8Array>();
  for (const entry of dir) {
    if (entry.name === 'manifest.json' || entry.name.endsWith('/')) continue;
    const want = listed.get(entry.name);
    if (!want) throw new InputError(fileName, `entry "${entry.name}" is not listed in manifest.json`);
    if (want.bytes !== entry.bytes) throw new InputError(fileName, `entry "${entry.name}" is ${entry.bytes} bytes, manifest says ${want.bytes}`);
    const data = extractZipEntry(bytes, entry, fileName);
    if ((await sha256Hex(data)) !== want.sha256) throw new InputError(fileName, `entry "${entry.name}" does not match its SHA-256 in manifest.json`);
    contents.set(entry.name, data);
  }
  for (const path of listed.keys()) if (!contents.has(path)) throw new InputError(fileName, `entry "${path}" listed in manifest.json is missing`);

  const metricsBytes = contents.get('metrics.json');
  if (!metricsBytes) throw new InputError(fileName, 'bundle has no metrics.json');
  const metrics = ResultMetricsSchema.safeParse(parseJsonEntry(metricsBytes, fileName, 'metrics.json'));
  if (!metrics.success) throw new InputError(fileName, `metrics.json is invalid: ${formatZodIssues(metrics.error).join('; ')}`);

  const text = new TextDecoder('utf-8', { fatal: false });
  const figures = new Map<string, string>();
  const saes: BundleSae[] = [];
  for (const [path, data] of contents) {
    const fig = /^figures\/([A-Za-z0-9._-]+)\.svg$/.exec(path);
    if (fig) figures.set(fig[1], text.decode(data));
    const sae = /^sae\/layer-(\d+)\/([A-Za-z0-9._-]+)\/cfg\.json$/.exec(path);
    if (sae) {
      const weights = contents.get(`sae/layer-${sae[1]}/${sae[2]}/sae_weights.safetensors`);
      if (!weights) throw new InputError(fileName, `${path} has no sae_weights.safetensors beside it`);
      const cfg = parseJsonEntry(data, fileName, path);
      if (typeof cfg !== 'object' || cfg === null || Array.isArray(cfg)) throw new InputError(fileName, `${path} is not a JSON object`);
      saes.push({ layer: Number(sae[1]), adapter: sae[2], cfg: cfg as Record<string, unknown>, weights });
    }
  }
  return { manifest, metrics: metrics.data, saes, figures };
}
