import { useAppStore, useSetupState } from '../state/context.js';
import { addAdapterDrop, removeAdapter } from '../state/setup-actions.js';
import { DropZone } from './drop-zone.js';

/** LoRA adapters: drop several folders (or one adapter's two files); each shows its parsed summary or its error. */
export function AdaptersSection() {
  const store = useAppStore();
  const s = useSetupState();
  return (
    <fieldset className="setup-block">
      <legend>LoRA adapters ({s.adapters.length})</legend>
      <DropZone
        id="adapters"
        label="Drop adapter folders"
        hint="PEFT format: adapter_config.json + adapter_model.safetensors per folder; the folder name becomes the adapter's name"
        onFiles={(f) => void addAdapterDrop(store, f)}
      />
      <ul className="adapter-list" aria-label="adapters">
        {s.adapters.map((a) => (
          <li key={a.name} className={`adapter ${a.status}`} data-testid={`adapter-${a.name}`} data-status={a.status}>
            <span className="adapter-name">{a.name}</span>
            {a.status === 'checking' && <span className="muted">checking…</span>}
            {a.status === 'ok' && <span className="adapter-summary">{a.detail}</span>}
            {a.status === 'error' && (
              <span className="adapter-error" role="alert">
                {a.error}
              </span>
            )}
            <button type="button" className="link" aria-label={`remove ${a.name}`} onClick={() => removeAdapter(store, a.name)}>
              remove
            </button>
          </li>
        ))}
      </ul>
    </fieldset>
  );
}
