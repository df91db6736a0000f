/** Usage and quota of this origin's storage, or null where the browser does not say. */
export async function storageEstimate(): Promise<{ usage: number; quota: number } | null> {
  const storage = (globalThis as { navigator?: { storage?: StorageManager } }).navigator?.storage;
  if (!storage?.estimate) return null;
  const e = await storage.estimate();
  return e.quota === undefined ? null : { usage: e.usage ?? 0, quota: e.quota };
}

/** Asks the browser not to evict the store under pressure; null where it cannot be asked (workers, Node). */
export async function requestPersistence(): Promise<boolean | null> {
  const storage = (globalThis as { navigator?: { storage?: StorageManager } }).navigator?.storage;
  if (typeof storage?.persist !== 'function') return null;
  try {
    return (await storage.persisted()) || (await storage.persist());
  } catch {
    return null;
  }
}
