import path from 'node:path';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './cli/chromium.mjs';

/** The shared fixtures sit beside the repository (../shared/fixtures), in CI as here. */
const FIXTURES_DIR = path.resolve(import.meta.dirname, '../shared/fixtures');


const define = { __FIXTURES_DIR__: JSON.stringify(FIXTURES_DIR) };

export default defineConfig({
  test: {
    projects: [
      {
        define: { ...define }, // a copy each: Vite mutates the object it is given, which broke the gpu project's define
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node', testTimeout: 60_000 },
      },
      {
        define: { ...define },
        server: { fs: { allow: [import.meta.dirname, FIXTURES_DIR] } },
        test: {
          name: 'gpu',
          include: ['test/gpu/**/*.test.ts'],
          testTimeout: 240_000,
          hookTimeout: 240_000,
          fileParallelism: false,
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({ launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS } }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
      {
        define: { ...define },
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 600_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
