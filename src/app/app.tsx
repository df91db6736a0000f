import { memo, useEffect, useMemo, useRef } from 'react';
import { acquireGpu, NO_WEBGPU_HELP } from '../gpu/index.js';
import { ManifestView } from './results/manifest-view.js';
import { ReadingView } from './results/reading-view.js';
import { ResultsView } from './results/results-view.js';
import { RunPanel } from './run/run-panel.js';
import { AdaptersSection } from './setup/adapters-section.js';
import { AnalysisSection } from './setup/analysis-section.js';
import { ConfigSection } from './setup/config-section.js';
import { ModelSection } from './setup/model-section.js';
import { PretrainedSection } from './setup/pretrained-section.js';
import { exportBundle, exportSource, importBundle, openDemoBundle } from './state/bundle-actions.js';
import { demoBase, loadDemo } from './state/config-actions.js';
import type { AppState } from './state/app-state.js';
import { useAppSelector, useAppStore } from './state/context.js';
import { createRunController } from './state/run-actions.js';
import { clearStoredRuns, restoreSession, saveSession } from './state/store-actions.js';

/** What the page frame shows; the run's progress ticks are not part of it. */
const selectFrame = (s: AppState) => ({ gpu: s.gpu, view: s.view, demo: s.demo, status: s.run.status, metrics: s.metrics });

/** The setup never depends on the frame's props, so a frame update leaves it alone. */
const Setup = memo(function Setup({ open, onStart }: { open: boolean; onStart: () => void }) {
  return (
    <details className="setup" open={open}>
      <summary>
        <h2>Setup</h2>
      </summary>
      <div className="setup-grid">
        <div>
          <ModelSection />
          <AdaptersSection />
          <PretrainedSection />
        </div>
        <div>
          <AnalysisSection />
          <ConfigSection onStart={onStart} />
        </div>
      </div>
    </details>
  );
});

export function App() {
  const store = useAppStore();
  const s = useAppSelector(selectFrame);
  const run = useMemo(() => createRunController(store), [store]);
  const bundleInput = useRef<HTMLInputElement>(null);
  const wantsDemo = useMemo(() => new URLSearchParams(location.search).has('demo'), []);

  useEffect(() => {
    acquireGpu().then(
      (g) => {
        store.set({ gpu: { status: 'ready', info: g.info } });
        g.destroy();
      },
      () => store.set({ gpu: { status: 'missing', message: NO_WEBGPU_HELP } }),
    );
    if (wantsDemo) {
      // The shipped results draw first; the setup for a live run (fetching and checking every input) loads after.
      void openDemoBundle(store, demoBase()).finally(() => loadDemo(store));
    } else {
      void restoreSession(store);
    }
  }, [store, wantsDemo]);

  // The session (config, run status, panel numbers) is saved when the config, the run's status or a stage changes,
  // so a reload can resume. Not on every partial result: saving clones every panel's numbers on this thread.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    let last = store.get();
    return store.subscribe(() => {
      const now = store.get();
      if (now.view.source !== 'live' || (now.run.stageDone === last.run.stageDone && now.run.status === last.run.status && now.draft === last.draft)) return;
      last = now;
      if (timer === null) timer = setTimeout(() => { timer = null; void saveSession(store.get()); }, 1000);
    });
  }, [store]);

  // A bundle dropped anywhere on the page opens it.
  useEffect(() => {
    const over = (e: DragEvent) => e.preventDefault();
    const drop = (e: DragEvent) => {
      e.preventDefault();
      const f = [...(e.dataTransfer?.files ?? [])].find((x) => x.name.endsWith('.zip'));
      if (f) void importBundle(store, f);
    };
    window.addEventListener('dragover', over);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragover', over);
      window.removeEventListener('drop', drop);
    };
  }, [store]);

  const canExport = (s.status === 'done' && exportSource.live !== null) || (s.view.source === 'bundle' && exportSource.imported !== null);
  return (
    <div className="app">
      <header className="topbar">
        <h1>
          deltascope <span className="tagline">where does a LoRA fine-tune put its change, and do pretrained SAEs see it?</span>
        </h1>
        <div className="topbar-tools">
          <span className={`gpu-badge ${s.gpu.status}`} data-testid="gpu-info">
            {s.gpu.status === 'checking' ? 'checking WebGPU…' : s.gpu.status === 'ready' ? `GPU: ${s.gpu.info.description || `${s.gpu.info.vendor} ${s.gpu.info.architecture}`.trim() || 'WebGPU'}${s.gpu.info.features.includes('shader-f16') ? ' · f16' : ''}` : 'no WebGPU'}
          </span>
          <button type="button" onClick={() => bundleInput.current?.click()} data-testid="open-bundle">
            Open bundle…
          </button>
          <input ref={bundleInput} type="file" accept=".zip,application/zip" hidden data-testid="bundle-input" onChange={(e) => { const f = e.target.files?.[0]; e.target.value = ''; if (f) void importBundle(store, f); }} />
          <button type="button" disabled={!canExport} onClick={() => void exportBundle(store)} data-testid="export-bundle">
            Export bundle
          </button>
          <button type="button" className="link" onClick={() => void clearStoredRuns(store)} data-testid="clear-store" title="Delete every stored activation and checkpoint in this browser">
            Clear stored runs
          </button>
        </div>
      </header>
      {s.gpu.status === 'missing' && (
        <p className="banner error" role="alert" data-testid="no-webgpu">
          {s.gpu.message}
        </p>
      )}
      {s.view.message && (
        <p className={`banner ${s.view.message.kind}`} role={s.view.message.kind === 'error' ? 'alert' : 'status'} data-testid="view-message">
          {s.view.message.text}
        </p>
      )}
      {wantsDemo && (
        <section className="demo-banner" data-testid="demo-banner">
          <div>
            <h2>Built-in demo</h2>
            <p>
              A small Gemma-2-architecture model trained on the King James Bible, four LoRA adapters (ranks 4, 8, 16, 32) fine-tuned on Webster's 1913 dictionary, and a dictionary trained on the base
              model's residual stream standing in for Gemma Scope. The panels below show a finished run shipped with the demo; "Run it live" recomputes them on this machine's GPU in a few minutes.
            </p>
            {s.demo.error && <p className="status error" role="alert">{s.demo.error}</p>}
          </div>
          <button type="button" className="primary big" data-testid="run-demo" disabled={!s.demo.available || s.gpu.status !== 'ready' || s.status === 'running'} onClick={run.start}>
            {s.demo.loading ? 'Loading demo…' : 'Run it live'}
          </button>
        </section>
      )}
      {s.view.source === 'bundle' && s.view.manifest && <ManifestView manifest={s.view.manifest} name={s.view.bundleName ?? 'bundle'} />}
      <Setup open={!wantsDemo && s.status === 'idle' && s.view.source !== 'bundle'} onStart={run.start} />
      <RunPanel controls={run} />
      {(s.view.source === 'bundle' || s.status === 'done') && (
        <ReadingView metrics={s.metrics} source={s.view.source === 'bundle' && s.view.manifest ? `From ${s.view.bundleName ?? 'the bundle'}, a run made ${s.view.manifest.createdAt.slice(0, 10)}.` : 'From the run that just finished on this machine.'} />
      )}
      <ResultsView metrics={s.metrics} />
    </div>
  );
}
