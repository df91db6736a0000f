import tseslint from 'typescript-eslint';

/** Folders in dependency order: each may import only the folders listed for it (through their index.ts). */
const LAYERS = {
  errors: [],
  progress: [],
  formats: ['errors', 'progress'],
  gpu: ['errors', 'progress'],
  model: ['errors', 'progress', 'gpu', 'formats'],
  sae: ['errors', 'progress', 'gpu', 'formats'],
  analysis: ['errors', 'progress', 'gpu', 'formats'],
  store: ['errors', 'progress', 'gpu', 'formats'],
  lab: ['errors', 'progress', 'gpu', 'formats', 'model', 'sae', 'analysis', 'store'],
  app: ['errors', 'progress', 'gpu', 'formats', 'model', 'sae', 'analysis', 'store', 'lab'],
};
const ALL = Object.keys(LAYERS);

function layerRules(folder) {
  const allowed = new Set(LAYERS[folder]);
  const forbidden = ALL.filter((f) => f !== folder && !allowed.has(f));
  const patterns = [
    // Other folders are reached only through their index.ts.
    { regex: `^\\.\\./(${ALL.join('|')})/(?!index\\.js$)`, message: 'Import another folder only through its index.ts.' },
  ];
  if (forbidden.length) patterns.push({ regex: `^\\.\\./(${forbidden.join('|')})(/|$)`, message: `src/${folder} may import only: ${[...allowed].join(', ') || 'nothing in src'}.` });
  if (folder !== 'app') patterns.push({ regex: '^react(-dom)?(/|$)', message: 'Only src/app knows React.' });
  return { files: [`src/${folder}/**/*.{ts,tsx}`], rules: { 'no-restricted-imports': ['error', { patterns }] } };
}

export default tseslint.config(
  { ignores: ['dist/**', 'bench/gpu/dist/**', 'node_modules/**', 'public/**', 'test-output/**', 'tools/**/*.py'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  ...ALL.map(layerRules),
);
