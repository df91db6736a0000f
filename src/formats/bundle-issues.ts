import type { z } from 'zod';

/** Every problem zod found, one per line-ish, with its path: `layers[2]: Too big: expected number to be <=25`. */
export function formatZodIssues(error: z.ZodError, max = 20): string[] {
  const out = error.issues.slice(0, max).map((issue) => {
    const path = issue.path.reduce<string>(
      (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
      '',
    );
    return `${path || '(root)'}: ${issue.message}`;
  });
  if (error.issues.length > max) out.push(`… and ${error.issues.length - max} more`);
  return out;
}
