import { renderToStaticMarkup } from 'react-dom/server';
import type { ReactElement } from 'react';
import type { ResultMetrics } from '../formats/index.js';
import { AcrossAdaptersFigure } from './charts/across-adapters-chart.js';
import { AlignmentFigure, CosineFigure } from './charts/alignment-chart.js';
import { AnglesFigure } from './charts/angles-chart.js';
import { angleKs } from './charts/angles-layout.js';
import { CkaFigure } from './charts/cka-chart.js';
import { DeltaNormFigure } from './charts/delta-norm-chart.js';
import { DensityFigure, L0Figure } from './charts/density-chart.js';
import { DoseLatentFigure, DoseLinearityFigure, DoseNormFigure } from './charts/dose-chart.js';
import { LatentFigure } from './charts/latents-chart.js';
import { LensFigure } from './charts/lens-chart.js';
import { figureHeight as localWritesHeight, LocalWritesFigure } from './charts/local-writes-chart.js';
import { localWriteAdapters } from './charts/local-writes-layout.js';
import { CurvesFigure, ReconBarsFigure } from './charts/reconstruction-chart.js';
import { WeightFigure, SpectrumFigure } from './charts/weight-space-chart.js';
import { adapterOrder, layerOrder } from './charts/panel-data.js';

const W = 720;
/** Delta-feature dashboards drawn as figures per SAE. */
const FIGURE_DASHBOARDS = 8;

/**
 * Every figure of a result as standalone SVG text, drawn by the same components as the screen (static
 * render, no interaction), for the bundle's figures/ folder.
 */
export function renderFigures(m: ResultMetrics): Record<string, string> {
  const figs: Record<string, ReactElement> = {};
  const rows = Math.max(1, layerOrder(m).length);
  if (m.deltaNorms.length) {
    figs['delta-norms'] = <DeltaNormFigure metrics={m} mode="absolute" width={W} height={60 + 34 * rows + 40} />;
    figs['delta-norms-relative'] = <DeltaNormFigure metrics={m} mode="relative" width={W} height={60 + 34 * rows + 40} />;
  }
  for (const layer of [...new Set(m.training.map((t) => t.layer))]) {
    figs[`training-loss-layer-${layer}`] = <CurvesFigure metrics={m} layer={layer} metric="loss" width={W} height={300} />;
    figs[`held-out-fvu-layer-${layer}`] = <CurvesFigure metrics={m} layer={layer} metric="fvu" width={W} height={300} />;
  }
  const reconLayers = [...new Set(m.reconstruction.map((r) => r.layer))];
  for (const layer of reconLayers) figs[`reconstruction-layer-${layer}`] = <ReconBarsFigure metrics={m} layer={layer} width={W} height={300} />;
  if (m.reconstruction.length) figs['density-l0'] = <L0Figure metrics={m} width={W} height={280} />;
  for (const r of m.reconstruction) figs[`density-layer-${r.layer}-${r.adapter}`] = <DensityFigure metrics={m} layer={r.layer} adapter={r.adapter} width={W} height={280} />;
  if (m.alignment.length) figs.alignment = <AlignmentFigure metrics={m} width={W} height={60 + 34 * rows + 40} />;
  for (const a of m.alignment) figs[`cosine-layer-${a.layer}-${a.adapter}`] = <CosineFigure alignment={a} width={W} height={280} />;
  for (const layer of [...new Set(m.principalAngles.map((p) => p.layer))]) {
    for (const k of angleKs(m)) figs[`principal-angles-layer-${layer}-k${k}`] = <AnglesFigure metrics={m} layer={layer} k={k} width={W} height={280} />;
  }
  for (const c of m.cka) figs[`cka-layer-${c.layer}`] = <CkaFigure metrics={m} layer={c.layer} width={520} height={420} />;
  const wsLayers = [...new Set(m.weightSpace.map((w) => w.layer))];
  for (const adapter of adapterOrder(m).filter((a) => m.weightSpace.some((w) => w.adapter === a))) {
    figs[`weight-space-${adapter}`] = <WeightFigure metrics={m} adapter={adapter} mode="frobenius" width={W} height={60 + 26 * wsLayers.length + 40} />;
    for (const layer of wsLayers) figs[`spectrum-${adapter}-layer-${layer}`] = <SpectrumFigure metrics={m} adapter={adapter} layer={layer} width={W} height={240} />;
  }
  for (const l of m.lens) {
    const rows = Math.max(l.promoted.length, l.suppressed.length, 1);
    figs[`lens-layer-${l.layer}-${l.adapter}`] = <LensFigure metrics={m} layer={l.layer} adapter={l.adapter} position="all" width={W} height={68 + 16 * rows} />;
  }
  for (const layer of [...new Set(m.dose.map((d) => d.layer))]) figs[`dose-norms-layer-${layer}`] = <DoseNormFigure metrics={m} layer={layer} width={W} height={280} />;
  for (const d of m.dose) {
    figs[`dose-latents-layer-${d.layer}-${d.adapter}`] = <DoseLatentFigure metrics={m} layer={d.layer} adapter={d.adapter} width={W} height={340} />;
    figs[`dose-linearity-layer-${d.layer}-${d.adapter}`] = <DoseLinearityFigure metrics={m} layer={d.layer} adapter={d.adapter} width={W} height={220} />;
  }
  for (const adapter of localWriteAdapters(m)) figs[`local-writes-${adapter}`] = <LocalWritesFigure metrics={m} adapter={adapter} width={W} height={localWritesHeight(m, adapter)} />;
  for (const a of m.acrossAdapters) figs[`across-adapters-layer-${a.layer}`] = <AcrossAdaptersFigure metrics={m} layer={a.layer} width={W} height={Math.max(240, 90 + 46 * a.labels.length)} />;
  // the first (largest-variance-share) dashboards of each delta SAE; the rest are in metrics.json
  for (const s of m.latents) {
    for (const d of s.dashboards.slice(0, FIGURE_DASHBOARDS)) figs[`latent-layer-${s.layer}-${s.adapter}-${d.index}`] = <LatentFigure set={s} index={d.index} width={W} />;
  }
  const out: Record<string, string> = {};
  for (const [name, el] of Object.entries(figs)) out[name] = `<?xml version="1.0" encoding="UTF-8"?>\n${renderToStaticMarkup(el)}`;
  return out;
}
