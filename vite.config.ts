import react from '@vitejs/plugin-react';
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { defineConfig } from 'vite';

/** App version and git commit, recorded in every result bundle's manifest. */
function buildInfo(): { version: string; commit: string } {
  const version = (JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string }).version;
  let commit = 'unknown';
  try {
    commit = execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    // not a git checkout (e.g. an unpacked release): keep "unknown"
  }
  return { version, commit };
}
const info = buildInfo();

export default defineConfig({
  plugins: [react()],
  define: { __APP_VERSION__: JSON.stringify(info.version), __GIT_COMMIT__: JSON.stringify(info.commit) },
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    rollupOptions: { input: { main: 'index.html', cli: 'cli.html' } },
  },
});
