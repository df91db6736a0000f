import { modelFilesFromMap, modelFilesFromUrl, writeBundle, type ModelFiles } from '../../../src/formats/index.js';
import { bundleContents, experimentWorkerRunner, parseRunConfig, runBrowserExperiment, type ExperimentRunner, type LocalInputs } from '../../../src/lab/index.js';
import { renderFigures } from '../../../src/app/figures.js';
import { putOutput, reportProgress } from '../outputs.js';

export interface RunTaskArgs {
  config: unknown;
  /** Keys as cli/commands/run.ts names them → URLs the harness serves (folders end in "/"). */
  files: Record<string, string>;
}

export interface RunTaskResult {
  adapters: string[];
  layers: number[];
  saes: number;
  figures: number;
}

function folder(url: string): ModelFiles {
  return modelFilesFromUrl(url);
}

/** A pretrained dictionary given as one .npz file, or a SAELens folder. */
function dictionary(url: string): ModelFiles {
  if (url.endsWith('/')) return modelFilesFromMap({ 'cfg.json': { url: `${url}cfg.json` }, 'sae_weights.safetensors': { url: `${url}sae_weights.safetensors` } }, url);
  return modelFilesFromMap({ 'params.npz': { url } }, url);
}

/** Page side of `deltascope run`: the same pipeline and bundle as the app's Run button. */
export async function run(args: RunTaskArgs): Promise<RunTaskResult> {
  const config = parseRunConfig(args.config, 'run config');
  const f = args.files;
  const local: LocalInputs = {
    model: f.model ? folder(f.model) : undefined,
    tokenizer: f.tokenizer ? folder(f.tokenizer) : undefined,
    dataset: f.dataset ? { name: f.dataset.split('/').pop() ?? 'dataset', source: { url: f.dataset } } : undefined,
    adapters: new Map(config.adapters.filter((a) => f[`adapter-${a.name}`]).map((a) => [a.name, folder(f[`adapter-${a.name}`])])),
    pretrained: new Map(config.pretrained.filter((p) => f[`pretrained-${p.layer}`]).map((p) => [p.layer, dictionary(f[`pretrained-${p.layer}`])])),
  };
  let last = '';
  // The same module worker the app runs its pipeline in; `--runtime node` has no workers, and nothing to keep
  // responsive, so there the same pipeline runs in this thread.
  const runner: ExperimentRunner =
    typeof Worker === 'undefined'
      ? { run: (cfg, locator, events, signal) => runBrowserExperiment(cfg, locator, events, signal) }
      : experimentWorkerRunner(() => new Worker(new URL('../../../workers/experiment.worker.ts', import.meta.url), { type: 'module', name: 'experiment' }));
  const pageBase = typeof location === 'undefined' ? `${(globalThis as { __deltascopeOutBase?: string }).__deltascopeOutBase}/` : location.href;
  const output = await runner.run(
    config,
    { demoBase: new URL('/demo/', pageBase).href, local },
    {
      onStage: (stage, state) => reportProgress(`${stage}: ${state === 'start' ? 'started' : 'done'}`),
      onProgress: (p) => {
        const line = `${p.stage}: ${p.done}/${p.total}${p.etaSeconds !== null ? ` (ETA ${Math.round(p.etaSeconds)} s)` : ''}`;
        // Roughly every 10%, so the terminal stays readable.
        const key = `${p.stage}:${Math.floor((10 * p.done) / Math.max(1, p.total))}`;
        if (key !== last) reportProgress(line);
        last = key;
      },
      log: (level, text) => reportProgress(`${level}: ${text}`),
      publish: () => undefined,
    },
    new AbortController().signal,
  );
  const figures = renderFigures(output.metrics);
  await putOutput('bundle.zip', await writeBundle(bundleContents(output, config, figures)));
  return { adapters: config.adapters.map((a) => a.name), layers: config.layers, saes: output.saes.length, figures: Object.keys(figures).length };
}
