import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { createServer, preview } from 'vite';
import { ensureBuilt } from '../../cli/browser.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../cli/chromium.mjs';

/**
 * Shared e2e setup: the app served as users start it, on a free port, and headless Chromium with the
 * WebGPU flags. `preview` is `vite preview` of the build (built once per test run: ensureBuilt rebuilds
 * only when sources are newer than dist/); `dev` is the `vite` dev server that `npm run demo` starts.
 * Both answer a missing file with index.html (SPA fallback), as most static hosts do.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const CONFIG = path.join(ROOT, 'vite.config.ts');

export type AppServerKind = 'preview' | 'dev';

export interface ServedApp {
  url: string;
  close(): Promise<void>;
}

function urlOf(server: { address(): AddressInfo | string | null } | null | undefined): string {
  const address = server?.address();
  if (!address || typeof address === 'string') throw new Error('the Vite server is not listening on a TCP port');
  return `http://127.0.0.1:${address.port}/`;
}

export async function serveApp(kind: AppServerKind = 'preview'): Promise<ServedApp> {
  const listen = { port: 0, strictPort: true, host: '127.0.0.1', open: false };
  if (kind === 'preview') {
    await ensureBuilt();
    const server = await preview({ root: ROOT, configFile: CONFIG, logLevel: 'warn', preview: listen });
    return { url: urlOf(server.httpServer), close: () => server.close() };
  }
  const server = await createServer({ root: ROOT, configFile: CONFIG, logLevel: 'warn', server: listen });
  await server.listen();
  return { url: urlOf(server.httpServer), close: () => server.close() };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

export const OUTPUT_DIR = path.resolve(import.meta.dirname, '../../test-output');
