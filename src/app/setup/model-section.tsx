import { useState } from 'react';
import { modelFilesFromUrl } from '../../formats/index.js';
import { hubUrl } from '../../lab/index.js';
import { useAppStore, useSetupState } from '../state/context.js';
import { attachModel, attachModelDrop, attachTokenizerDrop } from '../state/setup-actions.js';
import { DropZone } from './drop-zone.js';

type Tab = 'local' | 'url' | 'hub';
const TOKEN_KEY = 'deltascope.hubToken';

/** Base model and tokenizer: a dropped folder, a URL, or a Hub repository (token kept in memory or this tab only). */
export function ModelSection() {
  const store = useAppStore();
  const s = useSetupState();
  const [tab, setTab] = useState<Tab>(s.draft.model.kind === 'url' || s.draft.model.kind === 'hub' ? s.draft.model.kind : 'local');
  const [url, setUrl] = useState(s.draft.model.kind === 'url' ? s.draft.model.url : '');
  const [repo, setRepo] = useState(s.draft.model.kind === 'hub' ? s.draft.model.repo : '');
  const [revision, setRevision] = useState('main');
  const [remember, setRemember] = useState(() => typeof sessionStorage !== 'undefined' && sessionStorage.getItem(TOKEN_KEY) !== null);
  const setToken = (t: string, keep = remember) => {
    store.set({ hubToken: t });
    if (keep && t) sessionStorage.setItem(TOKEN_KEY, t);
    else sessionStorage.removeItem(TOKEN_KEY);
  };
  const demo = s.draft.model.kind === 'demo';
  return (
    <fieldset className="setup-block">
      <legend>Base model</legend>
      {demo ? (
        <p className="muted">Built-in demo model (public/demo/model).</p>
      ) : (
        <div className="tabs" role="tablist">
          {(['local', 'url', 'hub'] as const).map((t) => (
            <button key={t} type="button" role="tab" aria-selected={tab === t} className={tab === t ? 'active' : ''} onClick={() => setTab(t)}>
              {t === 'local' ? 'Files' : t === 'url' ? 'URL' : 'Hugging Face Hub'}
            </button>
          ))}
        </div>
      )}
      {!demo && tab === 'local' && (
        <DropZone id="model" label="Drop the model folder" hint="config.json + model.safetensors (or shards with model.safetensors.index.json); tokenizer.json is picked up too" onFiles={(f) => void attachModelDrop(store, f)} />
      )}
      {!demo && tab === 'url' && (
        <div className="row">
          <input type="url" placeholder="https://host/path/to/model/" value={url} onChange={(e) => setUrl(e.target.value)} aria-label="model URL" />
          <button type="button" disabled={!url} onClick={() => void attachModel(store, modelFilesFromUrl(url), { kind: 'url', url })}>
            Check
          </button>
        </div>
      )}
      {!demo && tab === 'hub' && (
        <div className="grid-2">
          <label>
            Repository <input placeholder="google/gemma-2-2b" value={repo} onChange={(e) => setRepo(e.target.value)} />
          </label>
          <label>
            Revision <input value={revision} onChange={(e) => setRevision(e.target.value)} />
          </label>
          <label>
            Access token <input type="password" autoComplete="off" value={s.hubToken} onChange={(e) => setToken(e.target.value)} placeholder="hf_… (gated repos)" />
          </label>
          <label className="check">
            <input type="checkbox" checked={remember} onChange={(e) => { setRemember(e.target.checked); setToken(s.hubToken, e.target.checked); }} /> keep for this tab only (sessionStorage); never exported
          </label>
          <button
            type="button"
            disabled={!/^[\w.-]+\/[\w.-]+$/.test(repo)}
            onClick={() => {
              const source = { kind: 'hub' as const, repo, revision };
              void attachModel(store, modelFilesFromUrl(hubUrl(source), s.hubToken || undefined), source);
            }}
          >
            Check
          </button>
        </div>
      )}
      {s.modelInfo.status !== 'none' && (
        <p className={`status ${s.modelInfo.status}`} data-testid="model-status" role={s.modelInfo.status === 'error' ? 'alert' : undefined}>
          {s.modelInfo.text}
        </p>
      )}
      <details className="sub">
        <summary>Tokenizer {s.draft.tokenizer ? '(separate)' : '(from the model folder)'}</summary>
        <DropZone
          id="tokenizer"
          compact
          label="Drop a tokenizer folder"
          hint="tokenizer.json + tokenizer_config.json"
          onFiles={(f) => attachTokenizerDrop(store, f)}
        />
        {s.attachments.tokenizer && <p className="status ok">Tokenizer: {s.attachments.tokenizer.label}</p>}
      </details>
    </fieldset>
  );
}
