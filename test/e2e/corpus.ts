import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES_DIR } from '../helpers/fixtures.js';

/** A text corpus for runs from the setup: every longer text of the fixtures' reference texts, `repeats` times over. */
export function fixtureCorpus(repeats: number): string {
  const texts = JSON.parse(readFileSync(path.join(FIXTURES_DIR, 'reference/long/texts.json'), 'utf8')) as unknown;
  const strings: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string' && v.length > 40) strings.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(texts);
  return Array.from({ length: repeats }, () => strings.join('\n\n')).join('\n\n');
}
