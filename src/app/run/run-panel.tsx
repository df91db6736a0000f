import { STAGES } from '../state/app-state.js';
import type { AppState } from '../state/app-state.js';
import { useAppSelector } from '../state/context.js';
import { missingInputs } from '../state/reopen-inputs.js';
import { fraction, progressText } from './progress-text.js';

const LABEL = { load: 'Load model and adapters', extract: 'Extract deltas', train: 'Train delta SAEs', evaluate: 'Evaluate and compare' } as const;

export interface RunControls {
  pause(): void;
  resume(): void;
  cancel(): void;
}

const selectRun = (s: AppState) => ({ run: s.run, draft: s.draft, attachments: s.attachments });

/** One bar per stage with rate and ETA; pause, resume, cancel; a compact log. */
export function RunPanel({ controls }: { controls: RunControls }) {
  const s = useAppSelector(selectRun);
  const r = s.run;
  if (r.status === 'idle' && r.log.length === 0) return null;
  const missing = missingInputs(s);
  return (
    <section className="run-panel" aria-label="run progress" data-status={r.status} data-testid="run-panel">
      <header className="panel-head">
        <h2>Run · <span className={`run-status ${r.status}`}>{r.status}</span></h2>
        <div className="panel-tools">
          {r.status === 'running' && <button type="button" onClick={controls.pause}>Pause</button>}
          {(r.status === 'paused' || r.status === 'failed' || r.status === 'cancelled') && <button type="button" onClick={controls.resume}>Resume</button>}
          {(r.status === 'running' || r.status === 'paused') && <button type="button" onClick={controls.cancel}>Cancel</button>}
        </div>
      </header>
      <div className="stages">
        {STAGES.map((stage) => {
          const p = r.stages[stage];
          const done = r.stageDone[stage];
          return (
            <div key={stage} className="stage" data-stage={stage} data-done={done}>
              <span className="stage-name">{LABEL[stage]}</span>
              <progress max={1} value={done ? 1 : fraction(p)} aria-label={`${stage} progress`} />
              <span className="stage-text">{done ? `done${p ? ` · ${progressText({ ...p, etaSeconds: null })}` : ''}` : p ? progressText(p) : 'waiting'}</span>
            </div>
          );
        })}
      </div>
      {r.status !== 'running' && r.status !== 'done' && missing.length > 0 && (
        <p className="status" data-testid="inputs-missing">
          This run reads files dropped before the page was reloaded: {missing.join(', ')}. Resume reopens the folders this browser remembered (it asks once for permission to read them); anything it cannot reopen must be dropped again in the setup.
        </p>
      )}
      {r.error && <p className="status error" role="alert">{r.error}</p>}
      <ol className="log" aria-label="log">
        {r.log.slice(-200).map((l, i) => (
          <li key={i} className={l.level}>
            <time>{new Date(l.t).toISOString().slice(11, 19)}</time> {l.text}
          </li>
        ))}
      </ol>
    </section>
  );
}
