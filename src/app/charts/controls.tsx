import { useLayoutEffect, useRef, useState } from 'react';

/** A labelled select for panel controls (layer, adapter, k, mode). */
export function Choice<T extends string | number>({ label, value, options, onChange, format = String }: { label: string; value: T; options: readonly T[]; onChange: (v: T) => void; format?: (v: T) => string }) {
  return (
    <label className="choice">
      {label}{' '}
      <select value={String(value)} onChange={(e) => onChange(options.find((o) => String(o) === e.target.value) ?? value)}>
        {options.map((o) => (
          <option key={String(o)} value={String(o)}>
            {format(o)}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Width of an element, tracked with ResizeObserver; charts redraw at the new size. */
export function useWidth<T extends HTMLElement>(fallback = 560): [React.RefObject<T | null>, number] {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(fallback);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(([e]) => setWidth(Math.max(280, Math.floor(e.contentRect.width))));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, width];
}

/** Keeps a selection valid as live results arrive: the current value if still offered, else the first. */
export function pick<T>(value: T | null, options: readonly T[]): T | null {
  return value !== null && options.includes(value) ? value : (options[0] ?? null);
}
