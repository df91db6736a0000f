import type { ResultMetrics } from '../../formats/index.js';
import { AlignmentPanels } from '../charts/alignment-chart.js';
import { AnglesPanel } from '../charts/angles-chart.js';
import { CkaPanel } from '../charts/cka-chart.js';
import { useWidth } from '../charts/controls.js';
import { DeltaNormPanel } from '../charts/delta-norm-chart.js';
import { DensityPanels } from '../charts/density-chart.js';
import { LensPanel } from '../charts/lens-chart.js';
import { ReconstructionPanels } from '../charts/reconstruction-chart.js';
import { WeightSpacePanel } from '../charts/weight-space-chart.js';

function hasAny(m: ResultMetrics): boolean {
  return m.deltaNorms.length + m.training.length + m.reconstruction.length + m.alignment.length + m.weightSpace.length + m.cka.length + m.lens.length > 0 || m.adapters.length > 0;
}

/** Every panel, fed from the same results, live while a run fills them in or restored from a bundle. */
export function ResultsView({ metrics }: { metrics: ResultMetrics }) {
  const [ref, width] = useWidth<HTMLDivElement>();
  if (!hasAny(metrics)) return <div ref={ref} />;
  const w = width >= 1100 ? Math.floor((width - 16) / 2) - 34 : width - 34;
  return (
    <div ref={ref} className="results" data-testid="results">
      <div className="panel-grid">
        <DeltaNormPanel metrics={metrics} width={w} />
        <WeightSpacePanel metrics={metrics} width={w} />
        <LensPanel metrics={metrics} width={w} />
        <ReconstructionPanels metrics={metrics} width={w} />
        <AlignmentPanels metrics={metrics} width={w} />
        <DensityPanels metrics={metrics} width={w} />
        <AnglesPanel metrics={metrics} width={w} />
        <CkaPanel metrics={metrics} width={w} />
      </div>
    </div>
  );
}
