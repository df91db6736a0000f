import { InputError } from '../errors/index.js';

/**
 * JSON as Python's json module and serde read it, but stricter where JS is lax: JSON.parse keeps the last of two
 * equal keys silently, so a file could say one thing to a reader and another to us. One linear scan finds
 * duplicate keys (and a leading byte-order mark) before JSON.parse builds the value.
 */

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

/** Where a string token starting at `i` (a quote) ends, one past its closing quote; -1 when it never closes. */
function stringEnd(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 0x5c) j++;
    else if (c === 0x22) return j + 1;
  }
  return -1;
}

/** The first key that appears twice in one object, with its byte position, or null. Assumes nothing about validity. */
export function findDuplicateKey(text: string): { key: string; at: number } | null {
  // One frame per open container: a key set for objects, null for arrays.
  const stack: (Set<string> | null)[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b) stack.push(new Set());
    else if (c === 0x5b) stack.push(null);
    else if (c === 0x7d || c === 0x5d) stack.pop();
    else if (c === 0x22) {
      const end = stringEnd(text, i);
      if (end < 0) return null;
      const keys = stack[stack.length - 1];
      if (keys) {
        let k = end;
        while (k < text.length && WS.has(text.charCodeAt(k))) k++;
        if (text.charCodeAt(k) === 0x3a) {
          let key: string;
          try {
            key = JSON.parse(text.slice(i, end)) as string;
          } catch {
            return null;
          }
          if (keys.has(key)) return { key, at: i };
          keys.add(key);
        }
      }
      i = end - 1;
    }
  }
  return null;
}

/** JSON.parse that refuses a byte-order mark and duplicate keys; failures name the file and the place. */
export function parseStrictJson(text: string, fileName: string): unknown {
  if (text.charCodeAt(0) === 0xfeff) throw new InputError(fileName, 'invalid JSON (starts with a byte-order mark)');
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (e) {
    throw new InputError(fileName, `invalid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const dup = findDuplicateKey(text);
  if (dup) throw new InputError(fileName, `invalid JSON: key ${JSON.stringify(dup.key.slice(0, 200))} appears twice in one object (at character ${dup.at})`);
  return value;
}
