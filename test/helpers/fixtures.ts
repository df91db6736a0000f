/** Absolute path of ../shared/fixtures, injected by vitest.config.ts. */
declare const __FIXTURES_DIR__: string;
export const FIXTURES_DIR: string = __FIXTURES_DIR__;

const inBrowser = typeof window !== 'undefined' && typeof document !== 'undefined';

/** URL the Vitest browser server answers for a fixture file (its /@fs/ route). */
export function fixtureUrl(relPath: string): string {
  return `/@fs${FIXTURES_DIR}/${relPath}`;
}

/** The raw bytes of a fixture file, in Node (fs) and in the browser (fetch from the test server). */
export async function fixtureBytes(relPath: string): Promise<ArrayBuffer> {
  if (inBrowser) {
    const res = await fetch(fixtureUrl(relPath));
    if (!res.ok) throw new Error(`fixture ${relPath}: HTTP ${res.status}`);
    return res.arrayBuffer();
  }
  const fs = await import('node:fs/promises');
  const buf = await fs.readFile(`${FIXTURES_DIR}/${relPath}`);
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

export async function fixtureJson<T = unknown>(relPath: string): Promise<T> {
  return JSON.parse(new TextDecoder().decode(await fixtureBytes(relPath))) as T;
}
