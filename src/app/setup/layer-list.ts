/** "0, 2, 4-6" → [0, 2, 4, 5, 6] (sorted, unique); null when the text is not such a list. */
export function parseLayerList(text: string): number[] | null {
  const out = new Set<number>();
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^(\d+)(?:\s*[-–]\s*(\d+))?$/.exec(part);
    if (!m) return null;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a || b - a > 1024) return null;
    for (let i = a; i <= b; i++) out.add(i);
  }
  return out.size ? [...out].sort((x, y) => x - y) : null;
}

export function formatLayerList(layers: readonly number[]): string {
  return layers.join(', ');
}
