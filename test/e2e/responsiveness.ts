import type { Locator, Page } from 'playwright-core';

/**
 * Main-thread responsiveness of the app page, measured by the page's own clock: long tasks from a
 * PerformanceObserver, and the time from a click's dispatch to the first frame that shows its effect.
 */

type Probe = { longTasks: { start: number; ms: number }[]; latency?: Promise<number> };
type ProbeGlobal = { responsiveness: Probe };

/** Call before the page loads: records every main-thread long task (over 50 ms) from the start. */
export async function recordLongTasks(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const probe: Probe = { longTasks: [] };
    (globalThis as unknown as ProbeGlobal).responsiveness = probe;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) probe.longTasks.push({ start: e.startTime, ms: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
}

/** The page's clock now (performance.now()), to mark where a measured window starts. */
export function pageNow(page: Page): Promise<number> {
  return page.evaluate(() => performance.now());
}

/** The longest main-thread task that started at or after `since` (page clock), in ms; 0 when none. */
export async function longestTaskSince(page: Page, since: number): Promise<{ maxMs: number; count: number }> {
  const tasks = await page.evaluate(() => (globalThis as unknown as ProbeGlobal).responsiveness.longTasks);
  const after = tasks.filter((t) => t.start >= since);
  return { maxMs: Math.max(0, ...after.map((t) => t.ms)), count: after.length };
}

/**
 * Clicks `target` for real (CDP input) and returns the ms from the click event's timestamp to the first
 * animation frame in which `state()` (evaluated in the page on `target`) differs from before the click:
 * input queueing, the handler, React's commit and the wait for a frame all count.
 */
export async function clickLatencyMs(page: Page, target: Locator, state: (el: Element) => unknown): Promise<number> {
  const el = await target.elementHandle();
  if (!el) throw new Error('click target not found');
  await page.evaluate(
    ([node, test]) => {
      const probe = (globalThis as unknown as ProbeGlobal).responsiveness;
      const read = new Function('el', `return (${test})(el);`) as (e: Element) => unknown;
      const before = read(node);
      probe.latency = new Promise<number>((resolve) => {
        node.addEventListener(
          'click',
          (e) => {
            const frame = () => (read(node) !== before ? resolve(performance.now() - e.timeStamp) : requestAnimationFrame(frame));
            requestAnimationFrame(frame);
          },
          { once: true },
        );
      });
    },
    [el, state.toString()] as const,
  );
  await target.click();
  return page.evaluate(() => (globalThis as unknown as ProbeGlobal).responsiveness.latency!);
}
