// Page-side half of the CLI harness (cli/browser.ts): output files and progress go back to Node over HTTP.

/** Sends one output file to the CLI process, which writes it under the command's --out folder. */
export async function putOutput(name: string, bytes: Uint8Array | string): Promise<void> {
  const body = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  // the page's own origin in Chromium; the harness's server under `--runtime node`, where fetch needs an absolute URL
  const base = (globalThis as { __deltascopeOutBase?: string }).__deltascopeOutBase ?? '';
  const res = await fetch(`${base}/out/${encodeURIComponent(name)}`, { method: 'POST', body: body as BodyInit });
  if (!res.ok) throw new Error(`could not send output ${name}: HTTP ${res.status}`);
}

/** One progress line on the CLI's stderr. */
export function reportProgress(line: string): void {
  const send = (globalThis as { __deltascopeProgress?: (l: string) => void }).__deltascopeProgress;
  send?.(line);
}
