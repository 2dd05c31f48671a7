/**
 * Regular expressions for group-name filters and `matches`, run on our own linear-time matcher
 * rather than a backtracking engine, so no pattern can cause catastrophic backtracking.
 *
 * The rule, in one sentence: a pattern is compiled to a Thompson automaton and matched by
 * simulating all its states at once (a Pike VM), which costs at most
 * `instructions × input length` steps whatever the pattern — `(a+)+$`, `(a|a)*` and `a*a*a*b`
 * included. The price is the features that need backtracking: backreferences and lookaround are
 * rejected. Bounds: a pattern of at most {@link regexLimits}.maxPatternLength characters and
 * `maxInstructions` compiled steps, a subject of at most `maxInputLength` characters.
 *
 * Matching is whole-string, as Java's `String.matches` (which Okta runs on): `admin` matches the
 * name "admin" only; write `.*admin.*` for "contains". The syntax is the part Java and
 * JavaScript agree on — literals, `.`, classes `[a-z]` `[^…]`, `\d \w \s` (ASCII, as in Java),
 * groups `(…)` `(?:…)` `(?<name>…)`, `|`, `* + ? {n} {n,} {n,m}` (lazy `?` allowed), `^ $`, and
 * a leading `(?i)` for ASCII case-insensitivity.
 */
import { PatternParser, RegexSyntaxError, regexLimits, type PatternNode, type Range } from './regex-syntax.ts';

export { RegexSyntaxError, regexLimits } from './regex-syntax.ts';

type Instruction =
  | { readonly op: 'set'; readonly ranges: readonly Range[]; readonly negate: boolean }
  | { readonly op: 'split'; x: number; y: number }
  | { readonly op: 'jmp'; x: number }
  | { readonly op: 'bol' | 'eol' | 'match' };

/** Instructions a node compiles to, computed before emitting so `(a{1000}){1000}` is refused cheaply. */
function size(node: PatternNode): number {
  switch (node.t) {
    case 'set': case 'bol': case 'eol': return 1;
    case 'seq': return node.items.reduce((sum, item) => sum + size(item), 0);
    case 'alt': return node.options.reduce((sum, option) => sum + size(option) + 2, 0);
    case 'repeat': {
      const body = size(node.node);
      return node.max === Infinity ? body * Math.max(node.min, 1) + 2 : body * node.max + node.max - node.min;
    }
  }
}

function emit(node: PatternNode, out: Instruction[]): void {
  switch (node.t) {
    case 'set': out.push({ op: 'set', ranges: node.ranges, negate: node.negate }); return;
    case 'bol': case 'eol': out.push({ op: node.t }); return;
    case 'seq': for (const item of node.items) emit(item, out); return;
    case 'alt': {
      const jumps: { op: 'jmp'; x: number }[] = [];
      node.options.forEach((option, index) => {
        if (index < node.options.length - 1) {
          const split = { op: 'split' as const, x: out.length + 1, y: 0 };
          out.push(split);
          emit(option, out);
          const jump = { op: 'jmp' as const, x: 0 };
          out.push(jump);
          jumps.push(jump);
          split.y = out.length;
        } else {
          emit(option, out);
        }
      });
      for (const jump of jumps) jump.x = out.length;
      return;
    }
    case 'repeat': {
      // x{2,} = x x x*; x+ = x x*; x{1,3} = x (x (x)?)?
      const required = node.max === Infinity ? Math.max(node.min - 1, 0) : node.min;
      for (let k = 0; k < required; k++) emit(node.node, out);
      if (node.max === Infinity) {
        if (node.min >= 1) {
          // The last required copy loops back on itself: x+ is L: x; split L, next.
          const loop = out.length;
          emit(node.node, out);
          out.push({ op: 'split', x: loop, y: out.length + 1 });
        } else {
          const at = out.length;
          const split = { op: 'split' as const, x: at + 1, y: 0 };
          out.push(split);
          emit(node.node, out);
          out.push({ op: 'jmp', x: at });
          split.y = out.length;
        }
        return;
      }
      const splits: { op: 'split'; x: number; y: number }[] = [];
      for (let k = node.min; k < node.max; k++) {
        const split = { op: 'split' as const, x: out.length + 1, y: 0 };
        out.push(split);
        splits.push(split);
        emit(node.node, out);
      }
      for (const split of splits) split.y = out.length;
    }
  }
}

function inRanges(code: number, ranges: readonly Range[]): boolean {
  for (const [lo, hi] of ranges) if (code >= lo && code <= hi) return true;
  return false;
}

/** A compiled pattern; {@link SafeRegex.matches} is whole-string and linear in the subject. */
export class SafeRegex {
  readonly source: string;
  readonly #program: readonly Instruction[];
  readonly #ignoreCase: boolean;

  constructor(source: string, program: readonly Instruction[], ignoreCase: boolean) {
    this.source = source;
    this.#program = program;
    this.#ignoreCase = ignoreCase;
  }

  #accepts(inst: Instruction & { op: 'set' }, code: number): boolean {
    let member = inRanges(code, inst.ranges);
    if (!member && this.#ignoreCase) {
      // Java's (?i) without UNICODE_CASE folds ASCII letters only.
      const other = code >= 0x41 && code <= 0x5a ? code + 32 : code >= 0x61 && code <= 0x7a ? code - 32 : -1;
      member = other >= 0 && inRanges(other, inst.ranges);
    }
    return member !== inst.negate;
  }

  /** True when the whole of `input` matches; throws RangeError past the subject length bound. */
  matches(input: string): boolean {
    if (input.length > regexLimits.maxInputLength) {
      throw new RangeError(`regular expression subject longer than ${regexLimits.maxInputLength} characters`);
    }
    const program = this.#program;
    const codes = Array.from(input, (ch) => ch.codePointAt(0)!);
    const seen = new Int32Array(program.length).fill(-1);
    let current: number[] = [];
    const add = (list: number[], start: number, pos: number, stamp: number) => {
      const stack = [start];
      while (stack.length > 0) {
        const pc = stack.pop()!;
        if (seen[pc] === stamp) continue;
        seen[pc] = stamp;
        const inst = program[pc]!;
        switch (inst.op) {
          case 'jmp': stack.push(inst.x); break;
          case 'split': stack.push(inst.y, inst.x); break;
          case 'bol': if (pos === 0) stack.push(pc + 1); break;
          case 'eol': if (pos === codes.length) stack.push(pc + 1); break;
          default: list.push(pc);
        }
      }
    };
    add(current, 0, 0, 0);
    for (let pos = 0; pos < codes.length && current.length > 0; pos++) {
      const next: number[] = [];
      for (const pc of current) {
        const inst = program[pc]!;
        if (inst.op === 'set' && this.#accepts(inst, codes[pos]!)) add(next, pc + 1, pos + 1, pos + 1);
      }
      current = next;
    }
    return current.some((pc) => program[pc]!.op === 'match');
  }
}

/** Compiles a pattern; throws {@link RegexSyntaxError} for anything outside the supported syntax or bounds. */
export function compileRegex(source: string): SafeRegex {
  if (source.length > regexLimits.maxPatternLength) {
    throw new RegexSyntaxError(`pattern longer than ${regexLimits.maxPatternLength} characters`, regexLimits.maxPatternLength);
  }
  const parser = new PatternParser(source);
  const tree = parser.parse();
  if (size(tree) + 1 > regexLimits.maxInstructions) {
    throw new RegexSyntaxError(`pattern too large once repetitions are expanded (over ${regexLimits.maxInstructions} steps)`, 0);
  }
  const program: Instruction[] = [];
  emit(tree, program);
  program.push({ op: 'match' });
  return new SafeRegex(source, program, parser.ignoreCase);
}
