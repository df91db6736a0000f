import { describe, expect, it } from 'vitest';
import { planDosePasses } from '../../src/lab/experiment-dose.js';
import { EXTRACT_BATCH_SEQUENCES } from '../../src/lab/experiment-load.js';

describe('dose-response passes', () => {
  it('runs every α-scaled adapter as streams of one batch when that fits, with the most sequences per forward that fit', () => {
    // a toy memory model: weights 100, then 1 per (stream × sequence); the main run (2 adapters × 8 sequences) used 124
    const fits = (adapters: number, seqs: number) => 100 + (adapters + 1) * seqs <= 124;
    expect(planDosePasses(8, fits)).toEqual({ groups: 1, sequences: 2 });
  });

  it('splits into the fewest groups that fit when even one sequence per forward does not', () => {
    const fits = (adapters: number, seqs: number) => adapters <= 3 && seqs <= 8;
    expect(planDosePasses(8, fits)).toEqual({ groups: 3, sequences: EXTRACT_BATCH_SEQUENCES });
  });

  it('refuses when a single α-scaled adapter does not fit', () => {
    expect(() => planDosePasses(4, () => false)).toThrow(/does not fit/);
  });
});
