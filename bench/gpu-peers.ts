// Joins the PyTorch peer's figures (bench/peer/*.py, same GPU, same shapes) to the suite's and reports the issue's
// goals, met or not. Node-only (reads the peer's JSON files).
import { readFile } from 'node:fs/promises';
import type { Rate, SuiteResults } from './gpu-suite.js';

/** What bench/peer/extract.py and bench/peer/sae.py write. */
interface PeerFile {
  peer: string;
  device?: string;
  extraction?: { dtype: string; streams: number; tokensPerS: number }[];
  sae?: { arch: string; d: number; m: number; batch: number; tokensPerS: number }[];
}

export interface Goal {
  goal: string;
  value: number | null;
  met: boolean | null;
}

// q8/q4 have no plain PyTorch counterpart: they are compared with the peer's half-precision run.
const PEER_DTYPE: Record<string, string> = { f32: 'f32', f16: 'f16', q8: 'f16', q4: 'f16' };

function join(ours: Rate, peerTokens: number | undefined, peer: string): void {
  if (!peerTokens || !ours.tokensPerS) return;
  ours.peer = peer;
  ours.peerTokensPerS = peerTokens;
  ours.ratioToPeer = ours.tokensPerS / peerTokens;
}

export async function mergePeers(results: SuiteResults & { peers?: string[]; goals?: Goal[] }, files: string[], log: (l: string) => void): Promise<void> {
  results.peers = [];
  for (const file of files) {
    let p: PeerFile;
    try {
      p = JSON.parse(await readFile(file, 'utf8')) as PeerFile;
    } catch (e) {
      results.errors.push(`peer ${file}: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    results.peers.push(`${p.peer}${p.device ? ` on ${p.device}` : ''}`);
    for (const r of results.extraction) {
      const match = p.extraction?.find((e) => e.dtype === PEER_DTYPE[String(r.dtype)] && e.streams === r.streams);
      join(r, match?.tokensPerS, p.peer);
    }
    for (const r of results.sae) join(r, p.sae?.find((e) => e.arch === r.arch)?.tokensPerS, p.peer);
  }
  const gemm32 = results.gemm.find((r) => r.name.startsWith('gemm f32'));
  const gemm16 = results.gemm.find((r) => r.name.startsWith('gemm f16'));
  const base4 = results.extraction.find((r) => r.dtype === 'f32' && Number(r.streams) > 1);
  const topk = results.sae.find((r) => r.arch === 'topk');
  const goal = (text: string, value: number | undefined, min: number): Goal => ({ goal: text, value: value ?? null, met: value === undefined ? null : value >= min });
  results.goals = [
    goal('f32 GEMM ≥ 0.30 of the measured FMA peak', gemm32?.fractionOfPeak, 0.3),
    goal('f16 GEMM ≥ 1.8× f32', gemm16?.gflops && gemm32?.gflops ? gemm16.gflops / gemm32.gflops : undefined, 1.8),
    goal('extraction, base + 4 adapters, f32: ≥ 0.25× the PyTorch peer', base4?.ratioToPeer as number | undefined, 0.25),
    goal('TopK SAE training: ≥ 0.3× the PyTorch peer', topk?.ratioToPeer as number | undefined, 0.3),
  ];
  for (const r of [...results.extraction, ...results.sae]) {
    if (r.ratioToPeer !== undefined) log(`${r.name}: ${(r.tokensPerS ?? 0).toFixed(0)} tokens/s vs ${String(r.peer)} ${(r.peerTokensPerS as number).toFixed(0)}: ratio ${(r.ratioToPeer as number).toFixed(2)}`);
  }
  for (const g of results.goals) log(`goal: ${g.goal}: ${g.value === null ? 'not measured' : `${g.value.toFixed(2)} — ${g.met ? 'met' : 'not met'}`}`);
}
