import { useState } from 'react';
import { PRECISIONS, SAE_ARCHITECTURES, type RunConfigInput } from '../../lab/index.js';
import { useAppStore, useSetupState } from '../state/context.js';
import { attachDatasetDrop, updateDraft } from '../state/setup-actions.js';
import { DropZone } from './drop-zone.js';
import { formatLayerList, parseLayerList } from './layer-list.js';

type Sae = RunConfigInput['sae'];

function Num({ label, value, onChange, step, min, title }: { label: string; value: number | undefined; onChange: (v: number) => void; step?: number; min?: number; title?: string }) {
  return (
    <label title={title}>
      {label}
      <input type="number" value={value ?? ''} step={step ?? 1} min={min} onChange={(e) => e.target.value !== '' && onChange(Number(e.target.value))} />
    </label>
  );
}

/** Dataset, layers, precision, SAE architecture and training, controls. */
export function AnalysisSection() {
  const store = useAppStore();
  const s = useSetupState();
  const d = s.draft;
  const [layerText, setLayerText] = useState(formatLayerList(d.layers));
  const layersOk = parseLayerList(layerText) !== null;
  const setSae = (patch: Partial<Sae>) => updateDraft(store, (x) => ({ ...x, sae: { ...x.sae, ...patch } }));
  const controls = d.controls ?? {};
  const setControls = (patch: Partial<NonNullable<RunConfigInput['controls']>>) => updateDraft(store, (x) => ({ ...x, controls: { ...x.controls, ...patch } }));
  const ds = d.dataset;
  return (
    <>
      <fieldset className="setup-block">
        <legend>Dataset</legend>
        <div className="row">
          <label className="check">
            <input type="radio" name="dataset" checked={ds.source.kind === 'sample'} onChange={() => updateDraft(store, (x) => ({ ...x, dataset: { ...x.dataset, source: { kind: 'sample' } } }))} /> built-in sample text
          </label>
          <label className="check">
            <input type="radio" name="dataset" checked={ds.source.kind === 'local'} onChange={() => updateDraft(store, (x) => ({ ...x, dataset: { ...x.dataset, source: { kind: 'local' } } }))} /> my own text
          </label>
        </div>
        {ds.source.kind === 'local' && (
          <DropZone
            id="dataset"
            compact
            folder={false}
            label="Drop a .txt, .jsonl or .json file"
            accept=".txt,.jsonl,.json"
            onFiles={(f) => attachDatasetDrop(store, f)}
          />
        )}
        {ds.source.kind === 'local' && s.attachments.dataset && <p className="status ok">{s.attachments.dataset.name} · {(s.attachments.dataset.size / 1024).toFixed(1)} KiB</p>}
        <div className="grid-3">
          <Num label="sequences" value={ds.sequences} min={1} onChange={(v) => updateDraft(store, (x) => ({ ...x, dataset: { ...x.dataset, sequences: v } }))} />
          <Num label="tokens per sequence" value={ds.sequenceLength} min={2} onChange={(v) => updateDraft(store, (x) => ({ ...x, dataset: { ...x.dataset, sequenceLength: v } }))} />
        </div>
      </fieldset>
      <fieldset className="setup-block">
        <legend>Layers and precision</legend>
        <div className="grid-3">
          <label>
            layers (resid_post)
            <input
              value={layerText}
              aria-invalid={!layersOk}
              placeholder="0, 2, 4-6"
              onChange={(e) => {
                setLayerText(e.target.value);
                const l = parseLayerList(e.target.value);
                if (l) updateDraft(store, (x) => ({ ...x, layers: l }));
              }}
            />
          </label>
          <label>
            weights on the GPU
            <select value={d.precision ?? 'f32'} onChange={(e) => updateDraft(store, (x) => ({ ...x, precision: e.target.value as (typeof PRECISIONS)[number] }))}>
              {PRECISIONS.map((p) => (
                <option key={p} value={p} disabled={p === 'f16' && s.gpu.status === 'ready' && !s.gpu.info.features.includes('shader-f16')}>
                  {p}
                </option>
              ))}
            </select>
          </label>
          <Num label="seed" value={d.seed} min={0} onChange={(v) => updateDraft(store, (x) => ({ ...x, seed: v }))} />
          <Num label="store shard (MiB)" value={d.shardMiB ?? 4} step={0.25} min={1 / 64} title="Size of one stored shard: a pause or reload resumes from the last complete one" onChange={(v) => updateDraft(store, (x) => ({ ...x, shardMiB: v }))} />
        </div>
      </fieldset>
      <fieldset className="setup-block">
        <legend>Delta SAE</legend>
        <div className="grid-3">
          <label>
            architecture
            <select value={d.sae.architecture} onChange={(e) => setSae({ architecture: e.target.value as Sae['architecture'] })}>
              {SAE_ARCHITECTURES.map((a) => (
                <option key={a}>{a}</option>
              ))}
            </select>
          </label>
          <Num label="width (latents)" value={d.sae.width} min={1} onChange={(v) => setSae({ width: v })} />
          {d.sae.architecture === 'topk' && <Num label="k" value={d.sae.k} min={1} onChange={(v) => setSae({ k: v })} />}
          {d.sae.architecture === 'relu-l1' && <Num label="L1 coefficient" value={d.sae.l1} step={0.01} onChange={(v) => setSae({ l1: v })} />}
          {d.sae.architecture === 'jumprelu' && (
            <>
              <Num label="L0 coefficient" value={d.sae.l0} step={0.01} onChange={(v) => setSae({ l0: v })} />
              <Num label="bandwidth" value={d.sae.bandwidth} step={0.001} onChange={(v) => setSae({ bandwidth: v })} />
              <Num label="initial threshold" value={d.sae.threshold} step={0.001} onChange={(v) => setSae({ threshold: v })} />
            </>
          )}
          <Num label="learning rate" value={d.sae.lr} step={0.0001} onChange={(v) => setSae({ lr: v })} />
          <Num label="steps" value={d.sae.steps} min={1} onChange={(v) => setSae({ steps: v })} />
          <Num label="batch (tokens)" value={d.sae.batchSize} min={1} onChange={(v) => setSae({ batchSize: v })} />
        </div>
      </fieldset>
      <fieldset className="setup-block">
        <legend>Controls</legend>
        <div className="grid-2">
          <label className="check">
            <input type="checkbox" checked={controls.seedPair ?? true} onChange={(e) => setControls({ seedPair: e.target.checked })} /> second seed (ceiling)
          </label>
          <label className="check">
            <input type="checkbox" checked={controls.randomDirections ?? true} onChange={(e) => setControls({ randomDirections: e.target.checked })} /> random directions (floor)
          </label>
          <label className="check">
            <input type="checkbox" checked={controls.randomLora ?? false} onChange={(e) => setControls({ randomLora: e.target.checked })} /> norm-matched random LoRA
          </label>
          <Num label="bootstrap resamples" value={controls.bootstrap ?? 200} min={0} onChange={(v) => setControls({ bootstrap: v })} />
        </div>
      </fieldset>
    </>
  );
}
