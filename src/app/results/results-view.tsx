import { memo, useDeferredValue, type ComponentType } from 'react';
import type { ResultMetrics } from '../../formats/index.js';
import { AcrossAdaptersPanel } from '../charts/across-adapters-chart.js';
import { AlignmentPanels } from '../charts/alignment-chart.js';
import { AnglesPanel } from '../charts/angles-chart.js';
import { CkaPanel } from '../charts/cka-chart.js';
import { useWidth } from '../charts/controls.js';
import { DeltaNormPanel } from '../charts/delta-norm-chart.js';
import { DensityPanels } from '../charts/density-chart.js';
import { DosePanels } from '../charts/dose-chart.js';
import { LensPanel } from '../charts/lens-chart.js';
import { LocalWritesPanel } from '../charts/local-writes-chart.js';
import { adapterOrder, layerOrder } from '../charts/panel-data.js';
import { ReconstructionPanels } from '../charts/reconstruction-chart.js';
import { WeightSpacePanel } from '../charts/weight-space-chart.js';

function hasAny(m: ResultMetrics): boolean {
  return m.deltaNorms.length + m.training.length + m.reconstruction.length + m.alignment.length + m.weightSpace.length + m.cka.length + m.lens.length + m.dose.length + m.localWrites.length + m.acrossAdapters.length > 0 || m.adapters.length > 0;
}

type PanelProps = { metrics: ResultMetrics; width: number };

/**
 * A panel that draws again only when the results it shows change: its own fields, or the adapter and layer
 * order that sets its colours and rows. Partial results of a running pipeline touch one or two fields.
 */
function panelOf(Panel: ComponentType<PanelProps>, fields: readonly (keyof ResultMetrics)[]) {
  const orderKey = (m: ResultMetrics) => `${adapterOrder(m).join('\n')}|${layerOrder(m).join(',')}`;
  return memo(Panel, (a, b) => a.width === b.width && fields.every((f) => a.metrics[f] === b.metrics[f]) && orderKey(a.metrics) === orderKey(b.metrics));
}

const DeltaNorms = panelOf(DeltaNormPanel, ['deltaNorms']);
const WeightSpace = panelOf(WeightSpacePanel, ['weightSpace']);
const LensView = panelOf(LensPanel, ['lens']);
const Dose = panelOf(DosePanels, ['dose']);
const LocalWrites = panelOf(LocalWritesPanel, ['localWrites', 'deltaNorms']);
const AcrossAdapters = panelOf(AcrossAdaptersPanel, ['acrossAdapters']);
const Reconstruction = panelOf(ReconstructionPanels, ['reconstruction', 'training']);
const Alignment = panelOf(AlignmentPanels, ['alignment']);
const Density = panelOf(DensityPanels, ['reconstruction']);
const Angles = panelOf(AnglesPanel, ['principalAngles']);
const CkaView = panelOf(CkaPanel, ['cka']);

/**
 * Every panel, fed from the same results, live while a run fills them in or restored from a bundle. New
 * results render as a deferred (interruptible) update, so drawing the panels never blocks a click.
 */
export const ResultsView = memo(function ResultsView({ metrics: latest }: { metrics: ResultMetrics }) {
  const metrics = useDeferredValue(latest);
  const [ref, width] = useWidth<HTMLDivElement>();
  // true while newer results than those drawn are being rendered (tests wait for it to clear)
  const pending = metrics !== latest;
  if (!hasAny(metrics)) return <div ref={ref} data-testid="results" data-pending={pending} />;
  const w = width >= 1100 ? Math.floor((width - 16) / 2) - 34 : width - 34;
  return (
    <div ref={ref} className="results" data-testid="results" data-pending={pending}>
      <div className="panel-grid">
        <DeltaNorms metrics={metrics} width={w} />
        <WeightSpace metrics={metrics} width={w} />
        <LensView metrics={metrics} width={w} />
        <LocalWrites metrics={metrics} width={w} />
        <Reconstruction metrics={metrics} width={w} />
        <Alignment metrics={metrics} width={w} />
        <Density metrics={metrics} width={w} />
        <Angles metrics={metrics} width={w} />
        <CkaView metrics={metrics} width={w} />
        <Dose metrics={metrics} width={w} />
        <AcrossAdapters metrics={metrics} width={w} />
      </div>
    </div>
  );
});
