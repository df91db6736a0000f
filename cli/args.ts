import { InputError } from '../src/errors/index.js';

/** What each flag of a command takes: a boolean switch, one value, or a list of values (repeatable / space-separated). */
export type FlagKind = 'boolean' | 'string' | 'list';

export interface ArgSpec {
  /** Command name, for messages. */
  command: string;
  flags: Record<string, FlagKind>;
  /** Names of positional arguments, in order. */
  positional?: string[];
  required?: string[];
}

export interface ParsedArgs {
  flags: Record<string, string | boolean | string[] | undefined>;
  positional: string[];
}

/**
 * Parses `--flag value`, `--flag=value`, `--switch` and lists (`--adapter A B --adapter C`).
 * Unknown flags and missing required ones are InputErrors naming the command, so the CLI exits 2.
 */
export function parseArgs(argv: readonly string[], spec: ArgSpec): ParsedArgs {
  const flags: ParsedArgs['flags'] = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const kind = spec.flags[name];
    if (!kind) throw new InputError(spec.command, `unknown option --${name}`);
    if (kind === 'boolean') {
      flags[name] = true;
      continue;
    }
    const values: string[] = [];
    if (eq !== -1) values.push(arg.slice(eq + 1));
    else {
      while (i + 1 < argv.length && !argv[i + 1].startsWith('--')) {
        values.push(argv[++i]);
        if (kind === 'string') break;
      }
    }
    if (values.length === 0) throw new InputError(spec.command, `option --${name} needs a value`);
    if (kind === 'string') flags[name] = values[0];
    else flags[name] = [...((flags[name] as string[] | undefined) ?? []), ...values];
  }
  const names = spec.positional ?? [];
  if (positional.length > names.length) throw new InputError(spec.command, `unexpected argument ${positional[names.length]}`);
  for (const r of spec.required ?? []) {
    const isPositional = names.indexOf(r);
    const present = isPositional >= 0 ? positional[isPositional] !== undefined : flags[r] !== undefined;
    if (!present) throw new InputError(spec.command, isPositional >= 0 ? `missing argument ${r}` : `missing option --${r}`);
  }
  return { flags, positional };
}

/** A flag's single string value, or undefined. */
export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags[name];
  return typeof v === 'string' ? v : undefined;
}

export function listFlag(args: ParsedArgs, name: string): string[] {
  const v = args.flags[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

/** A numeric flag; an unparsable value is an InputError naming the option. */
export function numberFlag(args: ParsedArgs, name: string, command: string, fallback?: number): number | undefined {
  const v = stringFlag(args, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new InputError(command, `option --${name}: "${v}" is not a number`);
  return n;
}

/** Comma-separated integers, e.g. `--layers 0,2`. */
export function intListFlag(args: ParsedArgs, name: string, command: string): number[] | undefined {
  const v = stringFlag(args, name);
  if (v === undefined) return undefined;
  const out = v.split(',').map((s) => Number(s.trim()));
  if (out.some((n) => !Number.isInteger(n) || n < 0)) throw new InputError(command, `option --${name}: "${v}" is not a list of non-negative integers`);
  return out;
}
