import { InputError } from '../errors/index.js';
import { parseJsonText } from './byte-source.js';
import { type ModelFiles, fileLabel, hasFile, requireText } from './model-files.js';
import { SafetensorsFile, type TensorInfo } from './safetensors.js';

export const INDEX_NAME = 'model.safetensors.index.json';
export const SINGLE_NAME = 'model.safetensors';

function parseWeightMap(text: string, file: string): Map<string, string> {
  const json = parseJsonText(text, file);
  const wm = typeof json === 'object' && json !== null ? (json as Record<string, unknown>).weight_map : undefined;
  if (typeof wm !== 'object' || wm === null || Array.isArray(wm)) throw new InputError(file, 'no weight_map object');
  const out = new Map<string, string>();
  for (const [tensor, shard] of Object.entries(wm)) {
    // A shard is a file beside the index: a path could reach outside the folder (or the repository, for URLs).
    if (typeof shard !== 'string' || !/^[^/\\]+$/.test(shard) || shard === '.' || shard === '..') {
      throw new InputError(file, `weight_map["${tensor.slice(0, 200)}"] is not a file name beside the index`);
    }
    out.set(tensor, shard);
  }
  if (out.size === 0) throw new InputError(file, 'weight_map is empty');
  return out;
}

/** One model's weights, from a single safetensors file or shards listed in model.safetensors.index.json. */
export class SafetensorsCheckpoint {
  readonly label: string;
  readonly tensors: ReadonlyMap<string, TensorInfo>;
  readonly shards: readonly SafetensorsFile[];
  private readonly owner: ReadonlyMap<string, SafetensorsFile>;

  private constructor(label: string, owner: Map<string, SafetensorsFile>, shards: SafetensorsFile[]) {
    this.label = label;
    this.owner = owner;
    this.shards = shards;
    this.tensors = new Map([...owner].map(([name, f]) => [name, f.info(name)]));
  }

  /** Opens every shard's header (validated); the index must name only shards that exist. */
  static async open(files: ModelFiles): Promise<SafetensorsCheckpoint> {
    if (await hasFile(files, INDEX_NAME)) {
      const indexFile = fileLabel(files, INDEX_NAME);
      const map = parseWeightMap(await requireText(files, INDEX_NAME), indexFile);
      const shardNames = [...new Set(map.values())];
      for (const s of shardNames) {
        if (!(await hasFile(files, s))) throw new InputError(indexFile, `weight_map points at shard "${s}", which is missing`);
      }
      const shards = new Map<string, SafetensorsFile>();
      for (const s of shardNames) shards.set(s, await SafetensorsFile.open(files.get(s)!, fileLabel(files, s)));
      const owner = new Map<string, SafetensorsFile>();
      for (const [tensor, s] of map) {
        const f = shards.get(s)!;
        if (!f.has(tensor)) throw new InputError(f.fileName, `tensor ${tensor} is listed in ${INDEX_NAME} but not in this shard`);
        owner.set(tensor, f);
      }
      return new SafetensorsCheckpoint(files.label, owner, [...shards.values()]);
    }
    let single = SINGLE_NAME;
    if (!(await hasFile(files, SINGLE_NAME))) {
      const candidates = files.names().filter((n) => n.endsWith('.safetensors'));
      if (candidates.length !== 1) throw new InputError(files.label, `no ${SINGLE_NAME} or ${INDEX_NAME}`);
      single = candidates[0];
    }
    const f = await SafetensorsFile.open(files.get(single)!, fileLabel(files, single));
    return new SafetensorsCheckpoint(files.label, new Map([...f.tensors.keys()].map((n) => [n, f])), [f]);
  }

  has(name: string): boolean {
    return this.owner.has(name);
  }

  /** The shard holding a tensor. */
  fileOf(name: string): SafetensorsFile {
    const f = this.owner.get(name);
    if (!f) throw new InputError(this.label, `no tensor named ${name}`);
    return f;
  }

  info(name: string): TensorInfo {
    return this.fileOf(name).info(name);
  }

  readRaw(name: string): Promise<ArrayBuffer> {
    return this.fileOf(name).readRaw(name);
  }

  readF32(name: string): Promise<Float32Array> {
    return this.fileOf(name).readF32(name);
  }

  readRows(name: string, rowStart: number, rowCount: number): Promise<Float32Array> {
    return this.fileOf(name).readRows(name, rowStart, rowCount);
  }

  readRawRows(name: string, rowStart: number, rowCount: number): Promise<Uint8Array<ArrayBuffer>> {
    return this.fileOf(name).readRawRows(name, rowStart, rowCount);
  }
}
