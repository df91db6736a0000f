import { memo } from 'react';
import type { ResultMetrics } from '../../formats/index.js';
import { readResults } from './reading.js';

/** The short reading above the panels; every number in it comes from `metrics`. */
export const ReadingView = memo(function ReadingView({ metrics, source }: { metrics: ResultMetrics; source: string }) {
  const lines = readResults(metrics);
  if (!lines.length) return null;
  return (
    <section className="reading" data-testid="reading" aria-label="What the panels show">
      <h2>What the panels show</h2>
      <p className="reading-source">{source}</p>
      <ul>
        {lines.map((l) => (
          <li key={l.key} data-reading={l.key}>
            {l.text}
          </li>
        ))}
      </ul>
    </section>
  );
});
