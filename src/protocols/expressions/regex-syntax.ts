/**
 * The pattern syntax `regex.ts` accepts, parsed into a tree: the part of regular-expression
 * syntax that Java (which Okta runs) and JavaScript agree on and that a linear-time automaton
 * can run. Everything else is refused with the offset of the construct, so an admin learns of it
 * when saving a claim.
 */

/** Bounds on patterns and subjects. */
export const regexLimits = { maxPatternLength: 512, maxInstructions: 2000, maxInputLength: 4096, maxRepeat: 1000 } as const;

/** A pattern outside the supported syntax; `position` is the offset in the pattern. */
export class RegexSyntaxError extends Error {
  readonly position: number;
  constructor(message: string, position: number) {
    super(message);
    this.name = 'RegexSyntaxError';
    this.position = position;
  }
}

export type Range = readonly [number, number];
/** A parsed pattern. */
export type PatternNode =
  | { readonly t: 'set'; readonly ranges: readonly Range[]; readonly negate: boolean }
  | { readonly t: 'seq'; readonly items: readonly PatternNode[] }
  | { readonly t: 'alt'; readonly options: readonly PatternNode[] }
  | { readonly t: 'repeat'; readonly node: PatternNode; readonly min: number; readonly max: number }
  | { readonly t: 'bol' | 'eol' };

const cp = (c: string) => c.codePointAt(0)!;
const digit: Range[] = [[0x30, 0x39]];
const word: Range[] = [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]];
const space: Range[] = [[0x09, 0x0d], [0x20, 0x20]];
// Java's `.` excludes the line terminators \n \r \u0085 \u2028 \u2029.
const dot: PatternNode = { t: 'set', ranges: [[0x0a, 0x0a], [0x0d, 0x0d], [0x85, 0x85], [0x2028, 0x2029]], negate: true };
const invert = (ranges: readonly Range[]): Range[] => {
  const out: Range[] = [];
  let next = 0;
  for (const [lo, hi] of ranges) { if (lo > next) out.push([next, lo - 1]); next = hi + 1; }
  if (next <= 0x10ffff) out.push([next, 0x10ffff]);
  return out;
};
const classEscapes: ReadonlyMap<string, readonly Range[]> = new Map([
  ['d', digit], ['D', invert(digit)], ['w', word], ['W', invert(word)], ['s', space], ['S', invert(space)],
]);
const charEscapes: ReadonlyMap<string, number> = new Map([['t', 9], ['n', 10], ['r', 13], ['f', 12], ['a', 7], ['e', 27]]);

/** Parses a pattern; a leading `(?i)` sets {@link PatternParser.ignoreCase}. */
export class PatternParser {
  readonly #src: string;
  #i = 0;
  ignoreCase = false;

  constructor(src: string) {
    this.#src = src;
    if (src.startsWith('(?i)')) { this.ignoreCase = true; this.#i = 4; }
  }

  parse(): PatternNode {
    const node = this.#alternation();
    if (this.#i < this.#src.length) throw new RegexSyntaxError('unbalanced ")"', this.#i);
    return node;
  }

  #alternation(): PatternNode {
    const options = [this.#sequence()];
    while (this.#src[this.#i] === '|') { this.#i++; options.push(this.#sequence()); }
    return options.length === 1 ? options[0]! : { t: 'alt', options };
  }

  #sequence(): PatternNode {
    const items: PatternNode[] = [];
    while (this.#i < this.#src.length && this.#src[this.#i] !== '|' && this.#src[this.#i] !== ')') {
      const start = this.#i;
      const atom = this.#atom();
      items.push(this.#quantified(atom, start));
    }
    return items.length === 1 ? items[0]! : { t: 'seq', items };
  }

  #quantified(atom: PatternNode, start: number): PatternNode {
    const at = this.#i;
    const c = this.#src[at];
    let min: number, max: number;
    if (c === '*') { min = 0; max = Infinity; this.#i++; }
    else if (c === '+') { min = 1; max = Infinity; this.#i++; }
    else if (c === '?') { min = 0; max = 1; this.#i++; }
    else if (c === '{') {
      const m = /^\{([0-9]{1,4})(,([0-9]{0,4}))?\}/.exec(this.#src.slice(at, at + 12));
      if (!m) throw new RegexSyntaxError('"{" must start a repetition such as {2,5}; write \\{ for the character', at);
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      if (max < min) throw new RegexSyntaxError('repetition {n,m} needs n <= m', at);
      if (min > regexLimits.maxRepeat || (max !== Infinity && max > regexLimits.maxRepeat)) {
        throw new RegexSyntaxError(`repetition above ${regexLimits.maxRepeat}`, at);
      }
      this.#i += m[0].length;
    } else {
      return atom;
    }
    if (atom.t === 'bol' || atom.t === 'eol') throw new RegexSyntaxError('an anchor cannot be repeated', start);
    // A lazy quantifier matches the same set of strings; a possessive one would not.
    if (this.#src[this.#i] === '?') this.#i++;
    else if (this.#src[this.#i] === '+') throw new RegexSyntaxError('possessive quantifiers are not supported', this.#i);
    const after = this.#src[this.#i];
    if (after !== undefined && '*+?{'.includes(after)) throw new RegexSyntaxError('nothing to repeat', this.#i);
    return { t: 'repeat', node: atom, min, max };
  }

  #atom(): PatternNode {
    const at = this.#i;
    const c = this.#src[at]!;
    this.#i++;
    switch (c) {
      case '.': return dot;
      case '^': return { t: 'bol' };
      case '$': return { t: 'eol' };
      case '[': return this.#class(at);
      case '(': return this.#group(at);
      case '\\': return this.#escape(false);
      case '*': case '+': case '?': throw new RegexSyntaxError('nothing to repeat', at);
      case '{': throw new RegexSyntaxError('nothing to repeat; write \\{ for the character', at);
      default: {
        const code = cp(this.#src.slice(at));
        this.#i = at + String.fromCodePoint(code).length;
        return { t: 'set', ranges: [[code, code]], negate: false };
      }
    }
  }

  #group(at: number): PatternNode {
    const rest = this.#src.slice(this.#i, this.#i + 3);
    if (rest.startsWith('?:')) this.#i += 2;
    else if (/^\?(?:[=!]|<[=!])/.test(rest)) {
      throw new RegexSyntaxError('lookahead and lookbehind are not supported', at);
    } else if (rest.startsWith('?<')) {
      const m = /^\?<[A-Za-z][A-Za-z0-9]*>/.exec(this.#src.slice(this.#i, this.#i + 260));
      if (!m) throw new RegexSyntaxError('invalid group name', at);
      this.#i += m[0].length;
    } else if (rest.startsWith('?')) {
      throw new RegexSyntaxError('this group construct is not supported (only (?i) at the very start)', at);
    }
    const node = this.#alternation();
    if (this.#src[this.#i] !== ')') throw new RegexSyntaxError('unclosed "("', at);
    this.#i++;
    return node;
  }

  /** An escape after the backslash; in a class only single characters and \d\w\s are allowed. */
  #escape(inClass: boolean): PatternNode {
    const at = this.#i - 1;
    const c = this.#src[this.#i];
    if (c === undefined) throw new RegexSyntaxError('pattern ends with a backslash', at);
    this.#i++;
    const set = classEscapes.get(c);
    if (set) return { t: 'set', ranges: set, negate: false };
    const code = charEscapes.get(c);
    if (code !== undefined) return { t: 'set', ranges: [[code, code]], negate: false };
    if (c === 'x' || c === 'u') {
      const digits = c === 'x' ? 2 : 4;
      const hex = this.#src.slice(this.#i, this.#i + digits);
      if (!new RegExp(`^[0-9A-Fa-f]{${digits}}$`).test(hex)) throw new RegexSyntaxError(`\\${c} needs ${digits} hex digits`, at);
      this.#i += digits;
      const value = parseInt(hex, 16);
      return { t: 'set', ranges: [[value, value]], negate: false };
    }
    // Escaped punctuation is the character itself; escaped letters and digits mean something
    // (\b, \1, \p{…}, \Q…) that we either cannot run in linear time or that the engines disagree on.
    if (/[A-Za-z0-9]/.test(c)) {
      throw new RegexSyntaxError(`unsupported escape \\${c}${inClass ? ' in a character class' : ''}`, at);
    }
    const value = cp(this.#src.slice(this.#i - 1));
    this.#i = this.#i - 1 + String.fromCodePoint(value).length;
    return { t: 'set', ranges: [[value, value]], negate: false };
  }

  #class(at: number): PatternNode {
    let negate = false;
    if (this.#src[this.#i] === '^') { negate = true; this.#i++; }
    const ranges: Range[] = [];
    let first = true;
    for (;;) {
      const c = this.#src[this.#i];
      if (c === undefined) throw new RegexSyntaxError('unclosed "["', at);
      if (c === ']') {
        if (first) throw new RegexSyntaxError('empty character class; write \\] for the character', this.#i);
        this.#i++;
        break;
      }
      first = false;
      if (c === '[' || this.#src.startsWith('&&', this.#i)) {
        throw new RegexSyntaxError('nested classes and intersections are not supported; escape [ and & as \\[ and \\&', this.#i);
      }
      const itemAt = this.#i;
      const low = this.#classAtom();
      if (this.#src[this.#i] === '-' && this.#src[this.#i + 1] !== ']' && this.#src[this.#i + 1] !== undefined) {
        this.#i++;
        const high = this.#classAtom();
        if (!low.single || !high.single) throw new RegexSyntaxError('a range needs single characters at both ends', itemAt);
        if (high.ranges[0]![0] < low.ranges[0]![0]) throw new RegexSyntaxError('range out of order', itemAt);
        ranges.push([low.ranges[0]![0], high.ranges[0]![0]]);
      } else {
        ranges.push(...low.ranges);
      }
    }
    return { t: 'set', ranges: normalize(ranges), negate };
  }

  #classAtom(): { ranges: readonly Range[]; single: boolean } {
    const c = this.#src[this.#i]!;
    this.#i++;
    if (c === '\\') {
      const node = this.#escape(true) as { ranges: readonly Range[] };
      return { ranges: node.ranges, single: node.ranges.length === 1 && node.ranges[0]![0] === node.ranges[0]![1] };
    }
    const code = cp(this.#src.slice(this.#i - 1));
    this.#i = this.#i - 1 + String.fromCodePoint(code).length;
    return { ranges: [[code, code]], single: true };
  }
}

function normalize(ranges: Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}
