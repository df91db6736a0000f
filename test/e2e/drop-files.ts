import type { Page } from 'playwright-core';

/** A real drag and drop of local files or folders onto a drop zone, through CDP (the browser builds the DataTransfer). */
export async function dropFiles(p: Page, testId: string, files: string[]): Promise<void> {
  const box = await p.getByTestId(testId).boundingBox();
  if (!box) throw new Error(`${testId} is not visible`);
  const cdp = await p.context().newCDPSession(p);
  const at = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  const data = { items: [], files, dragOperationsMask: 1 };
  for (const type of ['dragEnter', 'dragOver', 'drop'] as const) await cdp.send('Input.dispatchDragEvent', { type, ...at, data });
  await cdp.detach();
}
