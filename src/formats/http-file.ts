import { InputError } from '../errors/index.js';

/** How one file is asked for over HTTP; `token` is sent as `Authorization: Bearer …`. */
export interface FileRequest {
  token?: string;
  /** e.g. `bytes=0-7` */
  range?: string;
  method?: 'GET' | 'HEAD';
}

/** The server's answer: the file, or why it is absent. */
export type FetchedFile = { found: Response } | { absent: string };

/** Bytes enough to recognise `<!doctype html` or `<html` after a BOM and white space. */
const SNIFF_BYTES = 64;

export function httpProblem(status: number, statusText: string): string {
  if (status === 401 || status === 403) return `HTTP ${status}: access denied (a gated repository needs a valid token)`;
  if (status === 404) return 'HTTP 404: not found';
  return `HTTP ${status} ${statusText}`.trim();
}

function isHtmlType(res: Response): boolean {
  const type = (res.headers.get('Content-Type') ?? '').split(';')[0].trim().toLowerCase();
  return type === 'text/html' || type === 'application/xhtml+xml';
}

function looksLikeHtml(head: Uint8Array): boolean {
  const text = new TextDecoder().decode(head).replace(/^\uFEFF/, '').trimStart().toLowerCase();
  return text.startsWith('<!doctype html') || text.startsWith('<html');
}

/**
 * Reads the first bytes of a whole-file answer and hands back an equivalent Response, so the caller
 * still gets every byte; `head` is what was read ahead.
 */
async function peek(res: Response): Promise<{ res: Response; head: Uint8Array }> {
  if (!res.body) return { res, head: new Uint8Array(0) };
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let have = 0;
  let done = false;
  while (have < SNIFF_BYTES && !done) {
    const next = await reader.read();
    done = next.done;
    if (next.value) {
      chunks.push(next.value);
      have += next.value.byteLength;
    }
  }
  const head = new Uint8Array(have);
  let at = 0;
  for (const c of chunks) {
    head.set(c, at);
    at += c.byteLength;
  }
  const rest = new ReadableStream<Uint8Array>({
    start: (controller) => {
      if (head.byteLength > 0) controller.enqueue(head);
      if (done) controller.close();
    },
    pull: async (controller) => {
      const next = await reader.read();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
  return { res: new Response(rest, { status: res.status, statusText: res.statusText, headers: res.headers }), head };
}

/**
 * Fetches a file by URL. Static hosts with an SPA fallback (Vite's dev and preview servers among them)
 * answer a missing file with their index.html and status 200, so an HTML answer — by content type, or by
 * the first bytes of a whole-file answer — means "absent", as 404 and 410 do. Any other failure (network,
 * access denied, 5xx) throws an InputError naming `label` (the URL, as the user knows it).
 */
export async function fetchFile(url: string, label: string, req: FileRequest = {}): Promise<FetchedFile> {
  const headers: Record<string, string> = {};
  if (req.range) headers.Range = req.range;
  if (req.token) headers.Authorization = `Bearer ${req.token}`;
  let res: Response;
  try {
    // Range reads bypass the HTTP cache: servers that gzip their answers (Vite's preview among them) leave
    // Chromium's cache holding an encoded whole file, from which it then answers a Range request with all of it.
    res = await fetch(url, { method: req.method ?? 'GET', headers, ...(req.range ? { cache: 'no-store' as const } : {}) });
  } catch (e) {
    throw new InputError(label, `cannot fetch: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (res.status === 404 || res.status === 410) {
    await res.body?.cancel();
    return { absent: httpProblem(res.status, res.statusText) };
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new InputError(label, httpProblem(res.status, res.statusText));
  }
  const htmlPage = `not found (the server answered with a web page, HTTP ${res.status}: a missing file behind an SPA fallback)`;
  if (isHtmlType(res)) {
    await res.body?.cancel();
    return { absent: htmlPage };
  }
  // A 206 answer holds bytes from the middle of a real file, which may well start with "<".
  if (res.status !== 200 || req.method === 'HEAD') return { found: res };
  const peeked = await peek(res);
  if (looksLikeHtml(peeked.head)) {
    await peeked.res.body?.cancel();
    return { absent: htmlPage };
  }
  return { found: peeked.res };
}

/** A file that must exist: its Response, or an InputError naming `label` that says why it is absent. */
export async function fetchRequiredFile(url: string, label: string, req: FileRequest = {}): Promise<Response> {
  const got = await fetchFile(url, label, req);
  if ('absent' in got) throw new InputError(label, got.absent);
  return got.found;
}
