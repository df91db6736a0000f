import { memo, useDeferredValue, useState, type ComponentType } from 'react';
import type { ResultMetrics } from '../../formats/index.js';
import { AcrossAdaptersPanel } from '../charts/across-adapters-chart.js';
import { AlignmentPanels } from '../charts/alignment-chart.js';
import { AnglesPanel } from '../charts/angles-chart.js';
import { CkaPanel } from '../charts/cka-chart.js';
import { useWidth } from '../charts/controls.js';
import { DeltaNormPanel } from '../charts/delta-norm-chart.js';
import { DensityPanels } from '../charts/density-chart.js';
import { DosePanels } from '../charts/dose-chart.js';
import { LatentsPanel } from '../charts/latents-chart.js';
import type { LatentQuery } from '../charts/latents-layout.js';
import { LensPanel } from '../charts/lens-chart.js';
import { LocalWritesPanel } from '../charts/local-writes-chart.js';
import { adapterOrder, layerOrder } from '../charts/panel-data.js';
import { ReconstructionPanels } from '../charts/reconstruction-chart.js';
import { WeightSpacePanel } from '../charts/weight-space-chart.js';

function hasAny(m: ResultMetrics): boolean {
  return m.deltaNorms.length + m.training.length + m.reconstruction.length + m.alignment.length + m.weightSpace.length + m.cka.length + m.lens.length + m.dose.length + m.localWrites.length + m.acrossAdapters.length + m.latents.length > 0 || m.adapters.length > 0;
}

type PanelProps = { metrics: ResultMetrics; width: number };

/**
 * A panel that draws again only when the results it shows change: its own fields, or the adapter and layer
 * order that sets its colours and rows. Partial results of a running pipeline touch one or two fields.
 */
function panelOf<P extends PanelProps>(Panel: ComponentType<P>, fields: readonly (keyof ResultMetrics)[], sameExtras: (a: P, b: P) => boolean = () => true) {
  const orderKey = (m: ResultMetrics) => `${adapterOrder(m).join('\n')}|${layerOrder(m).join(',')}`;
  return memo(Panel, (a, b) => a.width === b.width && fields.every((f) => a.metrics[f] === b.metrics[f]) && orderKey(a.metrics) === orderKey(b.metrics) && sameExtras(a, b));
}

const DeltaNorms = panelOf(DeltaNormPanel, ['deltaNorms']);
const WeightSpace = panelOf(WeightSpacePanel, ['weightSpace']);
const LensView = panelOf(LensPanel, ['lens']);
const Dose = panelOf(DosePanels, ['dose']);
const LocalWrites = panelOf(LocalWritesPanel, ['localWrites', 'deltaNorms']);
const AcrossAdapters = panelOf(AcrossAdaptersPanel, ['acrossAdapters']);
const Reconstruction = panelOf(ReconstructionPanels, ['reconstruction', 'training']);
// the alignment panel's click handler is a state setter (stable), so only the latents panel compares its extra prop
const Alignment = panelOf(AlignmentPanels, ['alignment']);
const Latents = panelOf(LatentsPanel, ['latents'], (a, b) => a.query === b.query);
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
  // a click on an alignment cell or cosine bin lists that cell's / bin's latents in the delta-feature panel
  const [latentQuery, setLatentQuery] = useState<LatentQuery | null>(null);
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
        <Alignment metrics={metrics} width={w} onShowLatents={setLatentQuery} />
        <Latents metrics={metrics} width={w} query={latentQuery} />
        <Density metrics={metrics} width={w} />
        <Angles metrics={metrics} width={w} />
        <CkaView metrics={metrics} width={w} />
        <Dose metrics={metrics} width={w} />
        <AcrossAdapters metrics={metrics} width={w} />
      </div>
    </div>
  );
});
