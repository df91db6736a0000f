import path from 'node:path';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './cli/chromium.mjs';

/** The shared fixtures sit beside the repository (../shared/fixtures), in CI as here. */
const FIXTURES_DIR = path.resolve(import.meta.dirname, '../shared/fixtures');


const define = { __FIXTURES_DIR__: JSON.stringify(FIXTURES_DIR) };

/** GPU tests that also run under Node + Dawn: engine fixture comparisons, SAE training traces, analysis kernels. */
const NODE_GPU_TESTS = [
  'test/gpu/convert-weights.test.ts', 'test/gpu/model-forward.test.ts', 'test/gpu/model-quant.test.ts', 'test/gpu/model-midsize.test.ts',
  'test/gpu/model-streams.test.ts', 'test/gpu/sae-train-relu.test.ts', 'test/gpu/sae-train-topk.test.ts', 'test/gpu/sae-train-jumprelu.test.ts',
  'test/gpu/analysis-cka.test.ts', 'test/gpu/analysis-decoder-cosine.test.ts', 'test/gpu/analysis-randomized-svd.test.ts', 'test/gpu/analysis-sae-evaluate.test.ts',
];

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
        // The same GPU test bodies in Node on Dawn (`--runtime node`), on SwiftShader here; Dawn crashes under `threads`.
        define: { ...define },
        test: {
          name: 'node-gpu',
          include: NODE_GPU_TESTS,
          environment: 'node',
          pool: 'forks',
          setupFiles: ['test/helpers/node-webgpu.ts'],
          env: { VK_ICD_FILENAMES: process.env.VK_ICD_FILENAMES ?? '/usr/lib/chromium/vk_swiftshader_icd.json' },
          testTimeout: 240_000,
          hookTimeout: 240_000,
          fileParallelism: false,
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
          // a group of its own: Vitest runs the browser-mode gpu project beside whatever else shares its group, and
          // the app's responsiveness is measured here on a machine that is not also running the GPU suites
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
