import { useRef } from 'react';
import { runConfigProblems, RunConfigSchema } from '../../lab/index.js';
import { download } from '../charts/export-figure.js';
import { importConfigFile } from '../state/config-actions.js';
import { useAppStore, useSetupState, type SetupState } from '../state/context.js';
import { updateDraft } from '../state/setup-actions.js';
import { checkMemory } from './memory-estimate.js';

/** Problems the config alone cannot show: layers the model lacks, adapters or dictionaries that failed to parse. */
function setupProblems(s: SetupState): string[] {
  const out: string[] = [];
  const n = s.modelConfig?.numHiddenLayers;
  if (n !== undefined) for (const l of s.draft.layers) if (l >= n) out.push(`layers: layer ${l} is beyond the model's layers 0..${n - 1}`);
  for (const a of s.adapters) if (a.status === 'error') out.push(`adapters: ${a.name} cannot be used (remove it or fix its files)`);
  for (const p of s.pretrained) if (p.status === 'error') out.push(`pretrained: the dictionary of layer ${p.layer} cannot be used`);
  return out;
}

/** The setup as one JSON run config: its problems, its memory estimate, export/import, and the start button. */
export function ConfigSection({ onStart }: { onStart: () => void }) {
  const store = useAppStore();
  const s = useSetupState();
  const input = useRef<HTMLInputElement>(null);
  const problems = [...runConfigProblems(s.draft), ...setupProblems(s)];
  const pending = s.adapters.some((a) => a.status !== 'ok') || s.pretrained.some((p) => p.status !== 'ok') || s.modelInfo.status !== 'ok';
  const memory = s.modelConfig && problems.length === 0 ? checkMemory(s.modelConfig, s.draft, s.gpu.status === 'ready' ? s.gpu.info : null) : null;
  const running = s.running;
  const canStart = problems.length === 0 && !pending && s.gpu.status === 'ready' && !running && memory?.fits !== false;
  const exportConfig = () => {
    const parsed = RunConfigSchema.safeParse(s.draft);
    const json = JSON.stringify(parsed.success ? parsed.data : s.draft, null, 2);
    download(`${s.draft.name ?? 'run'}.config.json`, new Blob([json], { type: 'application/json' }));
  };
  return (
    <fieldset className="setup-block config-block">
      <legend>Run config</legend>
      {problems.length > 0 ? (
        <ul className="problems" data-testid="config-problems">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      ) : (
        <p className="status ok">Config is complete.</p>
      )}
      <label title="WebGPU cannot report a GPU's memory: state it to have a run that would not fit refused, with what does">
        GPU memory budget (GiB)
        <input
          type="number"
          min={0.25}
          step={0.25}
          placeholder="none"
          value={s.draft.gpuMemoryGiB ?? ''}
          onChange={(e) => {
            const v = e.target.value;
            updateDraft(store, ({ gpuMemoryGiB: _, ...x }) => (v === '' ? x : { ...x, gpuMemoryGiB: Number(v) }));
          }}
        />
      </label>
      {memory && (
        <p className={`status ${memory.fits === false ? 'error' : 'ok'}`} data-testid="memory-estimate">
          {memory.text}
        </p>
      )}
      <div className="row">
        <button type="button" onClick={exportConfig} title="The same file drives `deltascope run --config`">
          Export config
        </button>
        <button type="button" onClick={() => input.current?.click()}>
          Import config…
        </button>
        <input ref={input} type="file" accept=".json,application/json" hidden data-testid="import-config" onChange={(e) => { const f = e.target.files?.[0]; e.target.value = ''; if (f) void importConfigFile(store, f); }} />
        <span className="spacer" />
        <button type="button" className="primary" disabled={!canStart} onClick={onStart} data-testid="start-run" title={canStart ? '' : 'Complete the setup first'}>
          Start run
        </button>
      </div>
    </fieldset>
  );
}
