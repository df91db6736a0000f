import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors/index.js';
import { BatchSampler, coefAt, initSaeParams, lrAt, planShards, resolveTrainConfig, splitHeldOut } from '../../src/sae/index.js';

describe('SAE training configuration, schedules, sampling and sharding', () => {
  it('lists every invalid field in one InputError', () => {
    try {
      resolveTrainConfig({ arch: 'topk', d: 0, m: 8, steps: 1.5, batchSize: 4, lr: -1, k: 9 });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      const msg = (e as InputError).message;
      for (const field of ['d must', 'steps must', 'lr must', 'k must']) expect(msg).toContain(field);
    }
  });

  it('JumpReLU thresholds start at initThreshold (0.001 unless given), which must be positive', () => {
    const base = { arch: 'jumprelu' as const, d: 4, m: 3, steps: 1, batchSize: 1, lr: 0.1 };
    expect([...initSaeParams(resolveTrainConfig({ ...base, initThreshold: 0.5 })).log_theta!]).toEqual([0, 0, 0].map(() => Math.fround(Math.log(0.5))));
    expect([...initSaeParams(resolveTrainConfig(base)).log_theta!]).toEqual([0, 0, 0].map(() => Math.fround(Math.log(0.001))));
    expect(() => resolveTrainConfig({ ...base, initThreshold: 0 })).toThrow(/initThreshold must be > 0/);
  });

  it('lr warm-up rises linearly, decay falls to 0 at the last step; the coefficient warms up', () => {
    const c = { lr: 1, steps: 10, lrWarmupSteps: 4, lrDecaySteps: 5 };
    expect([0, 1, 3, 4, 5, 6, 9].map((t) => lrAt(c, t))).toEqual([0.25, 0.5, 1, 1, 1, 0.8, 0.2]);
    expect(lrAt({ lr: 0.002, steps: 50, lrWarmupSteps: 0, lrDecaySteps: 0 }, 49)).toBe(0.002);
    expect([0, 1, 2, 3].map((t) => coefAt(2, 2, t))).toEqual([1, 2, 2, 2]);
  });

  it('an explicit order is replayed exactly and restored from its state', () => {
    const order = Int32Array.from({ length: 12 }, (_, i) => (i * 5) % 7);
    const s = BatchSampler.fromOrder(order, 4, 7);
    expect([...s.next()]).toEqual([0, 5, 3, 1]);
    const again = BatchSampler.fromOrder(order, 4, 7, 'order', s.state());
    expect([...again.next()]).toEqual([6, 4, 2, 0]);
    expect(() => BatchSampler.fromOrder(order, 4, 5, 'o.npy')).toThrow(/o\.npy: row index 5/);
  });

  it('seeded shuffles cover every training row once per epoch and resume mid-epoch on the same sequence', () => {
    const rows = Int32Array.from({ length: 10 }, (_, i) => i * 2);
    const a = BatchSampler.shuffled(rows, 3, 42);
    const seq = Array.from({ length: 7 }, () => [...a.next()]).flat();
    expect([...seq.slice(0, 10)].sort((x, y) => x - y)).toEqual([...rows]);
    const b = BatchSampler.shuffled(rows, 3, 42);
    b.next();
    b.next();
    const c = BatchSampler.shuffled(rows, 3, 42, b.state());
    expect(Array.from({ length: 5 }, () => [...c.next()]).flat()).toEqual(seq.slice(6));
    expect(BatchSampler.shuffled(rows, 3, 43).next()).not.toEqual(BatchSampler.shuffled(rows, 3, 42).next());
  });

  it('held-out split is disjoint, seeded and honours the row mask', () => {
    const mask = Uint8Array.from({ length: 100 }, (_, i) => (i % 10 === 0 ? 0 : 1));
    const { train, heldOut } = splitHeldOut(100, 0.2, 1, mask);
    expect(train.length + heldOut.length).toBe(90);
    expect(heldOut.length).toBe(18);
    expect([...train, ...heldOut].some((i) => i % 10 === 0)).toBe(false);
    expect(new Set([...train, ...heldOut]).size).toBe(90);
    expect(splitHeldOut(100, 0.2, 1, mask).heldOut).toEqual(heldOut);
  });

  it('shards keep every [mc, d] and [rows, mc] buffer within the binding limit', () => {
    expect(planShards(256, 64, 64, 1 << 30)).toEqual([{ c0: 0, mc: 256 }]);
    const shards = planShards(16384, 3584, 4096, 128 << 20);
    expect(shards.reduce((s, r) => s + r.mc, 0)).toBe(16384);
    for (const s of shards) expect(s.mc * 4 * 4096).toBeLessThanOrEqual(128 << 20);
    expect(planShards(10, 4, 4, 3 * 16)).toEqual([{ c0: 0, mc: 3 }, { c0: 3, mc: 3 }, { c0: 6, mc: 3 }, { c0: 9, mc: 1 }]);
  });
});
