import { InputError } from '../errors/index.js';
import { fetchFile } from '../formats/index.js';

/** How JSONL records without a `text` field become text (Alpaca: instruction / input / output). */
export interface PromptTemplates {
  /** Used when the record has a non-empty `input`; `{instruction}`, `{input}`, `{output}` are replaced. */
  withInput: string;
  /** Used when `input` is missing or empty. */
  withoutInput: string;
}

/** The Stanford Alpaca prompt, shown in the UI and editable there. */
export const ALPACA_TEMPLATES: PromptTemplates = {
  withInput:
    'Below is an instruction that describes a task, paired with an input that provides further context. Write a response that appropriately completes the request.\n\n### Instruction:\n{instruction}\n\n### Input:\n{input}\n\n### Response:\n{output}',
  withoutInput:
    'Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n### Instruction:\n{instruction}\n\n### Response:\n{output}',
};

/** A dataset as the user gave it: a file's text and how to read it. */
export interface DatasetSource {
  /** File name (or "sample"), used in error messages and the manifest. */
  name: string;
  /** `text`: the whole file is one document; `jsonl`: one JSON object per line. */
  format: 'text' | 'jsonl';
  content: string;
  /** JSONL records without a `text` field are formatted with these (default: Alpaca). */
  templates?: PromptTemplates;
}

const MAX_LISTED_PROBLEMS = 5;

function fillTemplate(template: string, record: Record<string, unknown>): string {
  return template.replace(/\{(instruction|input|output)\}/g, (_, key: string) => String(record[key] ?? ''));
}

/** One JSONL line as a document; returns a problem string when the line cannot be used. */
function jsonlDocument(line: string, templates: PromptTemplates): string | { problem: string } {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (e) {
    return { problem: `not valid JSON (${(e as Error).message})` };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { problem: 'expected a JSON object' };
  const rec = v as Record<string, unknown>;
  if (typeof rec.text === 'string') return rec.text;
  if (typeof rec.instruction === 'string') {
    const hasInput = typeof rec.input === 'string' && rec.input.length > 0;
    return fillTemplate(hasInput ? templates.withInput : templates.withoutInput, rec);
  }
  return { problem: 'has neither a "text" string nor an "instruction" string' };
}

/**
 * The documents of a dataset file. JSONL is checked whole first: every bad line is listed (up to five)
 * in one InputError, and nothing is returned half-parsed.
 */
export function parseDocuments(source: DatasetSource): string[] {
  if (source.format === 'text') {
    if (source.content.trim().length === 0) throw new InputError(source.name, 'the file is empty');
    return [source.content];
  }
  const templates = source.templates ?? ALPACA_TEMPLATES;
  const docs: string[] = [];
  const problems: string[] = [];
  const lines = source.content.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line.trim().length === 0) return;
    const d = jsonlDocument(line, templates);
    if (typeof d === 'string') docs.push(d);
    else problems.push(`line ${i + 1}: ${d.problem}`);
  });
  if (problems.length > 0) {
    const more = problems.length > MAX_LISTED_PROBLEMS ? `; and ${problems.length - MAX_LISTED_PROBLEMS} more` : '';
    throw new InputError(source.name, problems.slice(0, MAX_LISTED_PROBLEMS).join('; ') + more);
  }
  if (docs.length === 0) throw new InputError(source.name, 'no records');
  return docs;
}

/** `name.jsonl` / `.json` → jsonl, anything else → text. */
export function datasetFormatOf(fileName: string): DatasetSource['format'] {
  return /\.jsonl?$/i.test(fileName) ? 'jsonl' : 'text';
}

/** The demo's built-in text (public/demo/dataset/sample.txt under `demoBase`), so the demo needs no upload. */
export async function fetchSampleDataset(demoBase: string): Promise<DatasetSource> {
  const url = `${demoBase.endsWith('/') ? demoBase : `${demoBase}/`}dataset/sample.txt`;
  const got = await fetchFile(url, url);
  if ('absent' in got) throw new InputError(url, `the built-in sample is missing (${got.absent})`);
  return { name: 'sample', format: 'text', content: await got.found.text() };
}
