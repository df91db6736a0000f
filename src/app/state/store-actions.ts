import { createStore, del, get, set } from 'idb-keyval';
import { ResultMetricsSchema } from '../../formats/index.js';
import { clearSaeCheckpoints, RunConfigSchema, type RunConfigInput } from '../../lab/index.js';
import { ActivationStore } from '../../store/index.js';
import { emptyRun, type AppState } from './app-state.js';
import { forgetDrops } from './remembered-drops.js';
import type { Store } from './store.js';

/** The app's own session record (config, panel numbers, run status) so a reload can show and resume the run. */
const sessionDb = () => createStore('deltascope-session', 'session');
const KEY = 'current';

interface SessionRecord {
  draft: unknown;
  metrics: unknown;
  status: AppState['run']['status'];
  stageDone: AppState['run']['stageDone'];
}

export async function saveSession(s: AppState): Promise<void> {
  const record: SessionRecord = { draft: s.draft, metrics: s.metrics, status: s.run.status, stageDone: s.run.stageDone };
  await set(KEY, record, sessionDb());
}

/** Restores the last session when it parses; a run that was going when the page closed comes back paused. */
export async function restoreSession(store: Store<AppState>): Promise<boolean> {
  const rec = (await get(KEY, sessionDb()).catch(() => undefined)) as SessionRecord | undefined;
  if (!rec) return false;
  const draft = RunConfigSchema.safeParse(rec.draft);
  const metrics = ResultMetricsSchema.safeParse(rec.metrics);
  if (!draft.success || !metrics.success) return false;
  const status = rec.status === 'running' ? 'paused' : rec.status;
  store.set({
    draft: draft.data as RunConfigInput,
    metrics: metrics.data,
    run: { ...emptyRun(), status, stageDone: rec.stageDone, log: status === 'idle' ? [] : [{ t: Date.now(), level: 'info', text: `restored the ${status} run from this browser's store` }] },
    view: { source: 'live', bundleName: null, manifest: null, message: null },
  });
  return true;
}

/** Deletes every stored run (activations, checkpoints) and the saved session. */
export async function clearStoredRuns(store: Store<AppState>): Promise<void> {
  if (store.get().run.status === 'running') return;
  const db = ActivationStore.open();
  const runs = await db.listRuns();
  for (const r of runs) await db.deleteRun(r.runId);
  await clearSaeCheckpoints();
  await del(KEY, sessionDb());
  await forgetDrops();
  store.set((s) => ({ run: emptyRun(), view: { ...s.view, message: { kind: 'info', text: `Cleared ${runs.length} stored run${runs.length === 1 ? '' : 's'} from this browser.` } } }));
}
