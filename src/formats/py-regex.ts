/**
 * Python `re` patterns (the subset adapter configs use) matched in time linear in the input: the pattern is
 * compiled to an NFA program and run as a Pike VM, one pass over the text with at most one thread per
 * instruction, so a pattern like `(a+)+$` cannot backtrack catastrophically as it would in a JS RegExp.
 * Constructs that need backtracking (backreferences, lookaround, atomic groups, conditionals) are refused.
 */

/** A pattern this matcher refuses or Python would reject; `message` says which construct and where. */
export class PyRegexError extends Error {}

type CharTest = (c: number) => boolean;

type Node =
  | { t: 'char'; test: CharTest }
  | { t: 'cat'; items: Node[] }
  | { t: 'alt'; items: Node[] }
  | { t: 'rep'; node: Node; min: number; max: number }
  | { t: 'assert'; kind: AssertKind };

type AssertKind = 'bol' | 'eol' | 'bos' | 'eos' | 'word' | 'nonword';

type Inst =
  | { op: 'char'; test: CharTest }
  | { op: 'split'; x: number; y: number }
  | { op: 'jmp'; x: number }
  | { op: 'assert'; kind: AssertKind }
  | { op: 'match' };

/** Largest compiled program; bounded repeats are expanded, so `(a{1000}){1000}` is refused here. */
export const MAX_PROGRAM = 20_000;
const MAX_REPEAT = 1000;

const NL = 0x0a;
const isDigit: CharTest = (c) => /\p{Nd}/u.test(String.fromCharCode(c));
const isWord: CharTest = (c) => c === 0x5f || /[\p{L}\p{N}]/u.test(String.fromCharCode(c));
const isSpace: CharTest = (c) => /\s/.test(String.fromCharCode(c));
const not = (f: CharTest): CharTest => (c) => !f(c);

const SIMPLE_ESCAPES: Record<string, number> = { n: 0x0a, t: 0x09, r: 0x0d, f: 0x0c, v: 0x0b, a: 0x07, '0': 0 };
const CLASS_ESCAPES: Record<string, CharTest> = { d: isDigit, D: not(isDigit), w: isWord, W: not(isWord), s: isSpace, S: not(isSpace) };

class Parser {
  private i = 0;
  constructor(private readonly src: string) {}

  parse(): Node {
    const node = this.alt();
    if (this.i < this.src.length) throw this.fail('unbalanced parenthesis');
    return node;
  }

  private fail(what: string, at = this.i): PyRegexError {
    return new PyRegexError(`${what} at position ${at}`);
  }

  private peek(): string | undefined {
    return this.src[this.i];
  }

  private alt(): Node {
    const items = [this.cat()];
    while (this.peek() === '|') {
      this.i++;
      items.push(this.cat());
    }
    return items.length === 1 ? items[0] : { t: 'alt', items };
  }

  private cat(): Node {
    const items: Node[] = [];
    while (this.i < this.src.length && this.peek() !== '|' && this.peek() !== ')') {
      const atom = this.atom();
      if (atom) items.push(this.quantified(atom));
    }
    return { t: 'cat', items };
  }

  /** `{m}`, `{m,}`, `{,n}`, `{m,n}` at i, or undefined when the brace is a literal (as Python reads it). */
  private braces(): { min: number; max: number; end: number } | undefined {
    const m = /^\{(\d*)(,?)(\d*)\}/.exec(this.src.slice(this.i, this.i + 24));
    if (!m || (m[1] === '' && m[2] === '')) return undefined;
    const min = m[1] === '' ? 0 : Number(m[1]);
    const max = m[2] === '' ? min : m[3] === '' ? Infinity : Number(m[3]);
    if (max < min) throw this.fail('min repeat greater than max repeat');
    if (min > MAX_REPEAT || (max !== Infinity && max > MAX_REPEAT)) throw this.fail(`repeat count above ${MAX_REPEAT}`);
    return { min, max, end: this.i + m[0].length };
  }

  private quantified(atom: Node): Node {
    let node = atom;
    let quantifiers = 0;
    for (;;) {
      const c = this.peek();
      let min: number;
      let max: number;
      if (c === '*') [min, max] = [0, Infinity];
      else if (c === '+') [min, max] = [1, Infinity];
      else if (c === '?') [min, max] = [0, 1];
      else if (c === '{') {
        const b = this.braces();
        if (!b) return node;
        [min, max] = [b.min, b.max];
        this.i = b.end - 1;
      } else return node;
      if (quantifiers++ > 0) throw this.fail('multiple repeat');
      if (atom.t === 'assert') throw this.fail('nothing to repeat');
      this.i++;
      // A trailing `?` only makes the repeat lazy, which cannot change whether a match exists.
      if (this.peek() === '?') this.i++;
      else if (this.peek() === '+') throw this.fail('possessive repeat is not supported');
      node = { t: 'rep', node, min, max };
    }
  }

  private atom(): Node | undefined {
    const start = this.i;
    const c = this.src[this.i++];
    switch (c) {
      case '(': return this.group(start);
      case '[': return { t: 'char', test: this.charClass() };
      case '.': return { t: 'char', test: (x) => x !== NL };
      case '^': return { t: 'assert', kind: 'bol' };
      case '$': return { t: 'assert', kind: 'eol' };
      case '\\': return this.escape(false) as Node;
      case '*': case '+': case '?': throw this.fail('nothing to repeat', start);
      case '{':
        this.i = start;
        if (this.braces()) throw this.fail('nothing to repeat', start);
        this.i = start + 1;
        return literal(c.charCodeAt(0));
      default: return literal(c.charCodeAt(0));
    }
  }

  private group(start: number): Node | undefined {
    if (this.peek() === '?') {
      const rest = this.src.slice(this.i + 1, this.i + 3);
      if (rest.startsWith(':')) this.i += 2;
      else if (rest.startsWith('P<')) {
        const close = this.src.indexOf('>', this.i);
        const name = close < 0 ? '' : this.src.slice(this.i + 3, close);
        if (!/^[A-Za-z_]\w*$/.test(name)) throw this.fail('bad group name', start);
        this.i = close + 1;
      } else if (rest.startsWith('#')) {
        const close = this.src.indexOf(')', this.i);
        if (close < 0) throw this.fail('missing ), unterminated comment', start);
        this.i = close + 1;
        return undefined;
      } else if (rest.startsWith('P=')) throw this.fail('backreferences are not supported', start);
      else if (rest.startsWith('=') || rest.startsWith('!') || rest.startsWith('<=') || rest.startsWith('<!')) {
        throw this.fail('lookahead/lookbehind is not supported', start);
      } else if (rest.startsWith('>')) throw this.fail('atomic groups are not supported', start);
      else if (rest.startsWith('(')) throw this.fail('conditional groups are not supported', start);
      else throw this.fail('inline flags and other (?…) extensions are not supported', start);
    }
    const inner = this.alt();
    if (this.peek() !== ')') throw this.fail('missing ), unterminated subpattern', start);
    this.i++;
    return inner;
  }

  /** An escape after `\`; inside a class only single characters and \d\w\s are allowed. */
  private escape(inClass: boolean): Node | CharTest | number {
    const at = this.i - 1;
    const e = this.src[this.i++];
    if (e === undefined) throw this.fail('bad escape (end of pattern)', at);
    const cls = CLASS_ESCAPES[e];
    if (cls) return inClass ? cls : { t: 'char', test: cls };
    if (!inClass) {
      if (e === 'b') return { t: 'assert', kind: 'word' };
      if (e === 'B') return { t: 'assert', kind: 'nonword' };
      if (e === 'A') return { t: 'assert', kind: 'bos' };
      if (e === 'Z') return { t: 'assert', kind: 'eos' };
      if (/[1-9]/.test(e)) throw this.fail('backreferences are not supported', at);
    }
    let code: number | undefined = SIMPLE_ESCAPES[e];
    if (e === 'b' && inClass) code = 0x08;
    if (e === 'x' || e === 'u' || e === 'U') {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = this.src.slice(this.i, this.i + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) throw this.fail(`incomplete escape \\${e}`, at);
      this.i += n;
      code = Number.parseInt(hex, 16);
    }
    if (code === undefined) {
      if (/[A-Za-z0-9]/.test(e)) throw this.fail(`bad escape \\${e}`, at);
      code = e.charCodeAt(0);
    }
    return inClass ? code : literal(code);
  }

  private charClass(): CharTest {
    const start = this.i - 1;
    const negate = this.peek() === '^';
    if (negate) this.i++;
    const tests: CharTest[] = [];
    let first = true;
    for (;;) {
      const c = this.src[this.i];
      if (c === undefined) throw this.fail('unterminated character set', start);
      if (c === ']' && !first) {
        this.i++;
        break;
      }
      first = false;
      const lo = this.classAtom();
      if (this.peek() === '-' && this.src[this.i + 1] !== undefined && this.src[this.i + 1] !== ']') {
        this.i++;
        const hi = this.classAtom();
        if (typeof lo !== 'number' || typeof hi !== 'number') throw this.fail('bad character range', start);
        if (hi < lo) throw this.fail('bad character range', start);
        tests.push((x) => x >= lo && x <= hi);
      } else tests.push(typeof lo === 'number' ? (x) => x === lo : lo);
    }
    const any: CharTest = (x) => tests.some((t) => t(x));
    return negate ? not(any) : any;
  }

  /** One character (its code) or a class escape (its test) inside [...]. */
  private classAtom(): number | CharTest {
    const c = this.src[this.i++];
    if (c !== '\\') return c.charCodeAt(0);
    return this.escape(true) as number | CharTest;
  }
}

function literal(code: number): Node {
  return { t: 'char', test: (x) => x === code };
}

class Compiler {
  readonly prog: Inst[] = [];

  private emit(inst: Inst): number {
    if (this.prog.length >= MAX_PROGRAM) throw new PyRegexError(`pattern is too large (compiles to more than ${MAX_PROGRAM} steps)`);
    this.prog.push(inst);
    return this.prog.length - 1;
  }

  compile(n: Node): void {
    switch (n.t) {
      case 'char': this.emit({ op: 'char', test: n.test }); return;
      case 'assert': this.emit({ op: 'assert', kind: n.kind }); return;
      case 'cat': for (const item of n.items) this.compile(item); return;
      case 'alt': {
        const jumps: number[] = [];
        for (let k = 0; k < n.items.length - 1; k++) {
          const split = this.emit({ op: 'split', x: 0, y: 0 });
          (this.prog[split] as { x: number }).x = this.prog.length;
          this.compile(n.items[k]);
          jumps.push(this.emit({ op: 'jmp', x: 0 }));
          (this.prog[split] as { y: number }).y = this.prog.length;
        }
        this.compile(n.items[n.items.length - 1]);
        for (const j of jumps) (this.prog[j] as { x: number }).x = this.prog.length;
        return;
      }
      case 'rep': {
        for (let k = 0; k < n.min; k++) this.compile(n.node);
        if (n.max === Infinity) {
          const split = this.emit({ op: 'split', x: 0, y: 0 });
          (this.prog[split] as { x: number }).x = this.prog.length;
          this.compile(n.node);
          this.emit({ op: 'jmp', x: split });
          (this.prog[split] as { y: number }).y = this.prog.length;
          return;
        }
        const splits: number[] = [];
        for (let k = n.min; k < n.max; k++) {
          const split = this.emit({ op: 'split', x: 0, y: 0 });
          (this.prog[split] as { x: number }).x = this.prog.length;
          splits.push(split);
          this.compile(n.node);
        }
        for (const s of splits) (this.prog[s] as { y: number }).y = this.prog.length;
      }
    }
  }
}

/** A compiled pattern; `match` is Python's re.match (anchored at the start), `fullmatch` re.fullmatch. */
export class PyRegex {
  private readonly prog: Inst[];

  constructor(readonly source: string) {
    const compiler = new Compiler();
    compiler.compile(new Parser(source).parse());
    compiler.prog.push({ op: 'match' });
    this.prog = compiler.prog;
  }

  match(text: string): boolean {
    return this.run(text, false);
  }

  fullmatch(text: string): boolean {
    return this.run(text, true);
  }

  private holds(kind: AssertKind, text: string, i: number): boolean {
    const n = text.length;
    const wordAt = (k: number): boolean => k >= 0 && k < n && isWord(text.charCodeAt(k));
    switch (kind) {
      case 'bol': case 'bos': return i === 0;
      case 'eos': return i === n;
      // Python's `$` (no MULTILINE): the end, or just before a final newline.
      case 'eol': return i === n || (i === n - 1 && text.charCodeAt(i) === NL);
      case 'word': return wordAt(i - 1) !== wordAt(i);
      case 'nonword': return wordAt(i - 1) === wordAt(i);
    }
  }

  /** Pike VM: the set of live threads advances one character at a time; each instruction is visited once per step. */
  private run(text: string, full: boolean): boolean {
    const prog = this.prog;
    const seen = new Int32Array(prog.length).fill(-1);
    let current: number[] = [];
    let next: number[] = [];
    const stack: number[] = [];
    let matched = false;
    const add = (list: number[], pc0: number, i: number, mark: number): void => {
      stack.push(pc0);
      while (stack.length > 0) {
        const pc = stack.pop() as number;
        if (seen[pc] === mark) continue;
        seen[pc] = mark;
        const inst = prog[pc];
        if (inst.op === 'jmp') stack.push(inst.x);
        else if (inst.op === 'split') stack.push(inst.y, inst.x);
        else if (inst.op === 'assert') {
          if (this.holds(inst.kind, text, i)) stack.push(pc + 1);
        } else if (inst.op === 'match') {
          if (!full || i === text.length) matched = true;
        } else list.push(pc);
      }
    };
    add(current, 0, 0, 0);
    for (let i = 0; i < text.length && !matched && current.length > 0; i++) {
      const c = text.charCodeAt(i);
      next.length = 0;
      for (const pc of current) {
        const inst = prog[pc] as { op: 'char'; test: CharTest };
        if (inst.test(c)) add(next, pc + 1, i + 1, i + 1);
      }
      [current, next] = [next, current];
    }
    return matched;
  }
}
