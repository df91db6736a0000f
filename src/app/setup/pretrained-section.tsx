import { useAppStore, useSetupState } from '../state/context.js';
import { attachPretrainedDrop, updateDraft } from '../state/setup-actions.js';
import { DropZone } from './drop-zone.js';

/** One pretrained dictionary per analysed layer: Gemma Scope params.npz or a SAELens folder. */
export function PretrainedSection() {
  const store = useAppStore();
  const s = useSetupState();
  const layers = s.draft.layers;
  const demoLayers = new Set((s.draft.pretrained ?? []).filter((p) => p.source.kind === 'demo').map((p) => p.layer));
  return (
    <fieldset className="setup-block">
      <legend>Pretrained dictionaries (optional)</legend>
      <p className="muted">Compared with each layer's delta SAEs. Without one, alignment and the pretrained reconstruction bars stay empty.</p>
      {layers.map((layer) => {
        const entry = s.pretrained.find((p) => p.layer === layer);
        return (
          <div key={layer} className="pretrained-row" data-testid={`pretrained-${layer}`}>
            <span className="layer-tag">layer {layer}</span>
            {demoLayers.has(layer) ? (
              <span className="status ok">demo dictionary (public/demo/sae/layer-{layer})</span>
            ) : (
              <DropZone id={`sae-${layer}`} compact label="Drop params.npz or a SAELens folder" onFiles={(f) => void attachPretrainedDrop(store, layer, f)} accept=".npz,.json,.safetensors" />
            )}
            {entry && (
              <span className={`status ${entry.status}`} role={entry.status === 'error' ? 'alert' : undefined}>
                {entry.status === 'checking' ? 'checking…' : entry.status === 'ok' ? `${entry.label}: ${entry.detail}` : entry.error}
              </span>
            )}
            {(entry || demoLayers.has(layer)) && (
              <button type="button" className="link" onClick={() => {
                store.set((st) => ({ pretrained: st.pretrained.filter((p) => p.layer !== layer) }));
                updateDraft(store, (d) => ({ ...d, pretrained: (d.pretrained ?? []).filter((p) => p.layer !== layer) }));
              }}>
                remove
              </button>
            )}
          </div>
        );
      })}
    </fieldset>
  );
}
