import type { Page } from 'playwright-core';

export interface StoreSnapshot {
  /** run id → its manifest as JSON, without the times it was created and last written */
  manifests: Record<string, string>;
  /** IndexedDB key → SHA-256 of the stored record (bytes of its typed arrays, JSON of the rest) */
  records: Record<string, string>;
}

/**
 * Everything the page's activation store holds, read with the raw IndexedDB API (not the app's code): the
 * run manifests and a hash of every shard piece and dataset record.
 */
export function storeSnapshot(page: Page, dbName = 'deltascope'): Promise<StoreSnapshot> {
  return page.evaluate(async (name) => {
    const done = <T>(r: IDBRequest<T>) => new Promise<T>((resolve, reject) => ((r.onsuccess = () => resolve(r.result)), (r.onerror = () => reject(r.error))));
    const openDb = (n: string) => done(indexedDB.open(n));
    const entries = async (db: IDBDatabase, storeName: string): Promise<[string, unknown][]> => {
      const os = db.transaction(storeName).objectStore(storeName);
      const [keys, values] = await Promise.all([done(os.getAllKeys()), done(os.getAll())]);
      return keys.map((k, i) => [String(k), values[i]]);
    };
    // canonical bytes: typed arrays as their bytes, everything else as sorted-key JSON
    const parts = (v: unknown, out: Uint8Array[]): unknown => {
      if (ArrayBuffer.isView(v)) return out.push(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)), `#bytes${out.length - 1}`;
      if (v instanceof ArrayBuffer) return out.push(new Uint8Array(v)), `#bytes${out.length - 1}`;
      if (Array.isArray(v)) return v.map((x) => parts(x, out));
      if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, parts((v as Record<string, unknown>)[k], out)]));
      return v;
    };
    const hash = async (v: unknown): Promise<string> => {
      const blobs: Uint8Array[] = [];
      const json = JSON.stringify(parts(v, blobs));
      const whole = new Blob([json, ...blobs.map((b) => b.slice())]);
      const digest = await crypto.subtle.digest('SHA-256', await whole.arrayBuffer());
      return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
    };
    // Opening a database that does not exist yet would create it without its object stores (and break the app).
    const existing = new Set((await indexedDB.databases()).map((d) => d.name));
    if (!existing.has(`${name}-runs`) || !existing.has(`${name}-shards`)) return { manifests: {}, records: {} };
    const runs = await openDb(`${name}-runs`);
    const shards = await openDb(`${name}-shards`);
    if (!runs.objectStoreNames.contains('manifests') || !shards.objectStoreNames.contains('shards')) {
      runs.close();
      shards.close();
      return { manifests: {}, records: {} };
    }
    const manifests: Record<string, string> = {};
    for (const [k, v] of await entries(runs, 'manifests')) {
      const { createdAt: _c, updatedAt: _u, ...rest } = v as Record<string, unknown>;
      manifests[k] = JSON.stringify(parts(rest, []));
    }
    const records: Record<string, string> = {};
    for (const [k, v] of await entries(shards, 'shards')) records[k] = await hash(v);
    runs.close();
    shards.close();
    return { manifests, records };
  }, dbName);
}
