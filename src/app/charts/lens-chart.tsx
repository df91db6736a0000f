import { useState } from 'react';
import { metricsTables, type ResultMetrics } from '../../formats/index.js';
import { fmtExact } from './axis-ticks.js';
import { ChartFrame, useTooltip } from './chart-frame.js';
import { Choice, pick } from './controls.js';
import { lensLayout, lensSides, type LensPosition } from './lens-layout.js';
import { adapterOrder } from './panel-data.js';
import { AxisBottom, SvgRoot } from './svg-parts.js';

const COLORS = { promoted: '#1971c2', suppressed: '#c92a2a' } as const;
const MARGIN = { top: 24, right: 12, bottom: 44, left: 12 };

const positionText = (p: LensPosition): string => (p === 'all' ? 'all text tokens' : `text position ${p}`);

export function LensFigure({ metrics, layer, adapter, position, width, height, tooltip }: { metrics: ResultMetrics; layer: number; adapter: string; position: LensPosition; width: number; height: number; tooltip?: ReturnType<typeof useTooltip> }) {
  const sides = lensSides(metrics, layer, adapter, position) ?? { promoted: [], suppressed: [] };
  const lay = lensLayout(sides, width, height, MARGIN);
  const title = `Activation-difference lens, ${adapter}, layer ${layer}, ${positionText(position)}`;
  return (
    <SvgRoot width={width} height={height} title={title}>
      <g transform={`translate(${MARGIN.left},${MARGIN.top})`}>
        <text x={lay.zeroX - 6} y={-8} textAnchor="end" fill={COLORS.suppressed} fontWeight={600}>suppressed</text>
        <text x={lay.zeroX + 6} y={-8} fill={COLORS.promoted} fontWeight={600}>promoted</text>
        {lay.bars.map((b) => (
          <g key={`${b.side}-${b.rank}`} data-side={b.side} data-rank={b.rank} data-id={b.id} data-z={b.z}>
            <rect
              x={b.x}
              y={b.y}
              width={b.w}
              height={b.h}
              fill={COLORS[b.side]}
              fillOpacity={0.8}
              onMouseMove={tooltip ? (e) => tooltip.show(e, `${b.side} #${b.rank + 1}: ${b.label} (id ${b.id}), z = ${fmtExact(b.z)}`) : undefined}
            />
            <text x={b.labelX} y={b.y + b.h / 2} dy="0.32em" textAnchor={b.anchor} fontSize={Math.min(11, Math.max(7, b.h))}>
              {b.label}
            </text>
          </g>
        ))}
        <line x1={lay.zeroX} x2={lay.zeroX} y1={0} y2={lay.innerH} stroke="#495057" />
        <AxisBottom ticks={lay.xTicks} y={lay.innerH} width={lay.innerW} label="z = W_E · norm(mean delta)" />
      </g>
    </SvgRoot>
  );
}

/** The lens panel: which tokens each adapter's mean delta pushes the output towards and away from. */
export function LensPanel({ metrics, width }: { metrics: ResultMetrics; width: number }) {
  const layers = [...new Set(metrics.lens.map((l) => l.layer))].sort((a, b) => a - b);
  const adapters = adapterOrder(metrics).filter((a) => metrics.lens.some((l) => l.adapter === a));
  const [layerSel, setLayer] = useState<number | null>(null);
  const [adapterSel, setAdapter] = useState<string | null>(null);
  const [positionSel, setPosition] = useState<LensPosition | null>(null);
  const layer = pick(layerSel, layers);
  const adapter = pick(adapterSel, adapters);
  const entry = metrics.lens.find((l) => l.layer === layer && l.adapter === adapter);
  const positions: LensPosition[] = ['all', ...(entry?.positions.map((p) => p.position) ?? [])];
  const position = pick(positionSel, positions);
  const tip = useTooltip();
  const rows = Math.max(entry?.promoted.length ?? 0, entry?.suppressed.length ?? 0, 1);
  return (
    <ChartFrame
      name="lens"
      title="Activation-difference lens"
      caption={
        <>
          The mean delta (fine-tuned − base) over text tokens, through the final norm and the tied embedding (Minder et al. 2025):
          the tokens it promotes and suppresses. {entry ? `${entry.tokens} tokens averaged.` : ''}
        </>
      }
      controls={
        layer !== null && adapter !== null && position !== null ? (
          <>
            <Choice label="layer" value={layer} options={layers} onChange={setLayer} />
            <Choice label="adapter" value={adapter} options={adapters} onChange={setAdapter} />
            <Choice label="over" value={position} options={positions} onChange={setPosition} format={positionText} />
          </>
        ) : null
      }
      table={() => metricsTables(metrics).lens}
      tooltip={tip}
    >
      {layer === null || adapter === null || position === null ? (
        <div className="panel-empty">Waiting for extraction…</div>
      ) : (
        <LensFigure metrics={metrics} layer={layer} adapter={adapter} position={position} width={width} height={MARGIN.top + MARGIN.bottom + 16 * rows} tooltip={tip} />
      )}
    </ChartFrame>
  );
}
