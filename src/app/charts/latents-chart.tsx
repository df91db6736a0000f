import { useState } from 'react';
import { metricsTables, type LatentSet, type ResultMetrics } from '../../formats/index.js';
import { fmtExact, type Margin } from './axis-ticks.js';
import { ChartFrame, useTooltip } from './chart-frame.js';
import { Choice, pick } from './controls.js';
import { dashboardLayout, labelRule, latentRows, latentSetOf, type LatentQuery } from './latents-layout.js';
import { adapterOrder } from './panel-data.js';
import { AxisBottom, SvgRoot } from './svg-parts.js';

const MARGIN: Margin = { top: 92, right: 12, bottom: 12, left: 12 };
const LOGIT_COLORS = { promoted: '#1971c2', suppressed: '#c92a2a' } as const;
/** Rows the list draws at once (the search narrows the rest). */
const LIST_ROWS = 200;

const pct = (v: number) => `${(100 * v).toPrecision(3)}%`;

function nearestText(s: LatentSet, i: number): string {
  const c = s.cosine[i];
  if (c === null) return 'no pretrained dictionary at this layer';
  return `nearest pretrained latent ${s.nearest[i]}, cosine ${fmtExact(c)}${s.label[i] ? ` → ${s.label[i]}` : ''}`;
}

/** One latent's dashboard as SVG: header, top contexts shaded by activation, activation histogram, logit effect. */
export function LatentFigure({ set, index, width, tooltip }: { set: LatentSet; index: number; width: number; tooltip?: ReturnType<typeof useTooltip> }) {
  const d = set.dashboards.find((x) => x.index === index);
  const title = `Delta feature ${index}, ${set.adapter}, layer ${set.layer}`;
  const head = [
    `${title}: variance share ${pct(set.varianceShare[index])}, fires on ${pct(set.frequency[index])} of ${set.tokens} tokens${d ? `, max ${fmtExact(d.maxActivation)}` : ''}`,
    nearestText(set, index),
    ...labelRule(set),
  ];
  if (!d) {
    return (
      <SvgRoot width={width} height={MARGIN.top + 30} title={title}>
        {head.map((t, k) => <text key={k} x={MARGIN.left} y={16 + 16 * k} fontSize={k === 0 ? 12 : 10.5} fontWeight={k === 0 ? 600 : 400}>{t}</text>)}
        <text x={MARGIN.left} y={MARGIN.top + 14} fontSize={11} fill="#495057">No full dashboard: only the {set.dashboards.length} latents with the largest variance share have one.</text>
      </SvgRoot>
    );
  }
  const L = dashboardLayout(d, width, MARGIN);
  const hide = tooltip?.hide;
  return (
    <SvgRoot width={width} height={L.height} title={title}>
      <g data-latent={index}>
        {head.map((t, k) => <text key={k} x={MARGIN.left} y={16 + 16 * k} fontSize={k === 0 ? 12 : 10.5} fontWeight={k === 0 ? 600 : 400}>{t}</text>)}
        <g transform={`translate(${MARGIN.left},${MARGIN.top})`}>
          <text y={-6} fontSize={10.5} fill="#495057">top-activating contexts (8 tokens before, 4 after; shade = activation / max)</text>
          {L.contexts.map((c) => (
            <g key={c.rank} data-context-rank={c.rank} data-sequence={c.sequence} data-position={c.position} data-activation={c.activation} transform={`translate(0,${c.y})`}>
              {c.cells.map((cell) => (
                <g key={cell.position} transform={`translate(${cell.x},0)`} onMouseMove={tooltip ? (e) => tooltip.show(e, `sequence ${c.sequence}, position ${cell.position}: ${cell.label} (id ${cell.id}), activation ${fmtExact(cell.act)}`) : undefined} onMouseLeave={hide}>
                  <rect width={cell.w} height={c.h} fill={cell.fill} stroke={cell.peak ? '#212529' : 'none'} />
                  <text x={cell.w / 2} y={c.h / 2} dy="0.32em" textAnchor="middle" fontSize={9.5}>
                    {cell.label.length > Math.floor(cell.w / 5.5) ? `${cell.label.slice(0, Math.max(1, Math.floor(cell.w / 5.5) - 1))}…` : cell.label}
                  </text>
                </g>
              ))}
            </g>
          ))}
          <g transform={`translate(0,${L.histY})`}>
            <text y={-8} fontSize={10.5} fill="#495057">histogram of its positive activations (tokens)</text>
            {L.bars.map((b, i) => (
              <rect key={i} x={b.x} y={b.y} width={b.w} height={b.h} fill="#e8590c" fillOpacity={0.8} onMouseMove={tooltip ? (e) => tooltip.show(e, `[${fmtExact(b.lo)}, ${fmtExact(b.hi)}): ${b.count}`) : undefined} onMouseLeave={hide} />
            ))}
            <AxisBottom ticks={L.histTicks} y={L.histH} width={L.innerW} label="activation" />
          </g>
          <g transform={`translate(0,${L.logitY})`}>
            <text y={-8} fontSize={10.5} fill="#495057">logit effect: W_E · norm(decoder row) — suppressed | promoted</text>
            {L.logits.bars.map((b) => (
              <g key={`${b.side}-${b.rank}`} data-side={b.side} data-rank={b.rank} data-id={b.id} data-z={b.z}>
                <rect x={b.x} y={b.y} width={b.w} height={b.h} fill={LOGIT_COLORS[b.side]} fillOpacity={0.8} />
                <text x={b.labelX} y={b.y + b.h / 2} dy="0.32em" textAnchor={b.anchor} fontSize={Math.min(11, Math.max(7, b.h))}>{b.label}</text>
              </g>
            ))}
            <line x1={L.logits.zeroX} x2={L.logits.zeroX} y1={0} y2={L.logits.innerH} stroke="#495057" />
            <AxisBottom ticks={L.logits.xTicks} y={L.logits.innerH} width={L.logits.innerW} label="z" />
          </g>
        </g>
      </g>
    </SvgRoot>
  );
}

/**
 * Delta features: per (layer, adapter), the delta SAE's latents sorted by the share of the delta's variance
 * each explains, searchable, each opening its dashboard. `query` (from a click on the alignment matrix or the
 * cosine histogram) selects a (layer, adapter) and optionally a range of nearest-pretrained cosine.
 */
export function LatentsPanel({ metrics, width, query = null }: { metrics: ResultMetrics; width: number; query?: LatentQuery | null }) {
  const layers = [...new Set(metrics.latents.map((s) => s.layer))].sort((a, b) => a - b);
  const adapters = adapterOrder(metrics).filter((a) => metrics.latents.some((s) => s.adapter === a));
  const [layerSel, setLayer] = useState<number | null>(null);
  const [adapterSel, setAdapter] = useState<string | null>(null);
  const [range, setRange] = useState<[number, number] | null>(null);
  const [search, setSearch] = useState('');
  const [latentSel, setLatent] = useState<number | null>(null);
  const [applied, setApplied] = useState<LatentQuery | null>(null);
  if (query !== applied) {
    setApplied(query);
    if (query) {
      setLayer(query.layer);
      setAdapter(query.adapter);
      setRange(query.cosine ?? null);
      setSearch('');
      setLatent(null);
    }
  }
  const layer = pick(layerSel, layers);
  const adapter = pick(adapterSel, adapters);
  const set = layer !== null && adapter !== null ? latentSetOf(metrics, layer, adapter) : null;
  const rows = set ? latentRows(set, range ?? undefined, search) : [];
  const latent = latentSel !== null && rows.some((r) => r.index === latentSel) ? latentSel : (rows[0]?.index ?? null);
  const tip = useTooltip();
  return (
    <ChartFrame
      name="latents"
      title="Delta features: what the fine-tune added"
      caption={
        <>
          Latents of each delta SAE (first seed) over every stored text token, sorted by the share of the delta&apos;s variance each explains
          (Σ‖a·W_dec[i]‖² / Σ‖x‖²). Full dashboards for the {set ? set.dashboards.length : 0} largest. {set ? labelRule(set).join(' ') : ''}
        </>
      }
      controls={
        layer !== null && adapter !== null ? (
          <>
            <Choice label="layer" value={layer} options={layers} onChange={(v) => (setLayer(v), setRange(null))} />
            <Choice label="adapter" value={adapter} options={adapters} onChange={(v) => (setAdapter(v), setRange(null))} />
          </>
        ) : null
      }
      table={() => metricsTables(metrics).latents}
      tooltip={tip}
    >
      {!set ? (
        <div className="panel-empty">No delta-feature dashboards yet: they are computed at the end of the evaluation.</div>
      ) : (
        <>
          {latent !== null ? <LatentFigure set={set} index={latent} width={width} tooltip={tip} /> : <div className="panel-empty">No latent matches.</div>}
          <div className="latent-list-tools">
            <input type="search" aria-label="search latents" placeholder="search: #index, p<pretrained>, new/between/shared, or a token" value={search} onChange={(e) => setSearch(e.target.value)} />
            {range && (
              <button type="button" data-testid="latent-range" onClick={() => setRange(null)} title="Show every latent again">
                cosine in [{fmtExact(range[0])}, {fmtExact(range[1])}) ×
              </button>
            )}
            <span>
              {Math.min(rows.length, LIST_ROWS)} of {rows.length} shown
            </span>
          </div>
          <div className="latent-list" data-testid="latent-list">
            <table>
              <thead>
                <tr>
                  <th>latent</th>
                  <th>variance share</th>
                  <th>frequency</th>
                  <th>nearest</th>
                  <th>cosine</th>
                  <th>label</th>
                </tr>
              </thead>
              <tbody>
                {rows.slice(0, LIST_ROWS).map((r) => (
                  <tr key={r.index} data-latent={r.index} aria-selected={r.index === latent} className={r.index === latent ? 'selected' : undefined} onClick={() => setLatent(r.index)}>
                    <td>#{r.index}{r.dashboard ? ' ◆' : ''}</td>
                    <td>{pct(r.varianceShare)}</td>
                    <td>{pct(r.frequency)}</td>
                    <td>{r.nearest ?? '–'}</td>
                    <td>{fmtExact(r.cosine)}</td>
                    <td>{r.label ?? '–'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </ChartFrame>
  );
}
