/**
 * SCIM filter expressions (RFC 7644 §3.4.2.2), parsed into a tree that storage compiles into
 * parameterised queries — the text of a filter never becomes SQL.
 *
 * The same grammar serves Okta's `filter` and `search` query parameters and the inbound SCIM server.
 *
 * ```
 * FILTER    = attrExp / logExp / valuePath / *1"not" "(" FILTER ")"
 * valuePath = attrPath "[" valFilter "]"
 * attrExp   = (attrPath SP "pr") / (attrPath SP compareOp SP compValue)
 * logExp    = FILTER SP ("and" / "or") SP FILTER
 * compValue = false / null / true / number / string
 * ```
 * Precedence, highest first: grouping, `not`, `and`, `or` (§3.4.2.2, Table 4).
 */

export const compareOperators = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'lt', 'ge', 'le'] as const;
export type CompareOperator = (typeof compareOperators)[number];
export type FilterValue = string | number | boolean | null;

export type Filter =
  | { readonly op: 'and' | 'or'; readonly left: Filter; readonly right: Filter }
  | { readonly op: 'not'; readonly filter: Filter }
  | { readonly op: 'pr'; readonly path: string }
  | { readonly op: CompareOperator; readonly path: string; readonly value: FilterValue }
  | { readonly op: 'valuePath'; readonly path: string; readonly filter: Filter };

/** A filter the grammar rejects; `position` is the 0-based offset of the problem. */
export class FilterSyntaxError extends Error {
  readonly position: number;
  constructor(message: string, position: number) {
    super(`${message} at position ${position}`);
    this.name = 'FilterSyntaxError';
    this.position = position;
  }
}

export interface ParseLimits {
  /** Longest filter text accepted. */
  readonly maxLength: number;
  /** Most comparisons in one filter. */
  readonly maxTerms: number;
  /** Deepest nesting of parentheses, `not` and value paths. */
  readonly maxDepth: number;
}

const defaultLimits: ParseLimits = { maxLength: 4096, maxTerms: 64, maxDepth: 16 };

type Token =
  | { kind: 'word'; text: string; pos: number }
  | { kind: 'string'; text: string; pos: number }
  | { kind: 'number'; value: number; pos: number }
  | { kind: 'punct'; text: '(' | ')' | '[' | ']'; pos: number };

// attrPath: optional schema URN, then ATTRNAME *1subAttr. ATTRNAME = ALPHA *(nameChar).
const attrPathPattern = /^(?:urn:[A-Za-z0-9:._-]+:)?[A-Za-z][A-Za-z0-9_$-]*(?:\.[A-Za-z][A-Za-z0-9_$-]*)*$/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      i++;
    } else if (ch === '(' || ch === ')' || ch === '[' || ch === ']') {
      tokens.push({ kind: 'punct', text: ch, pos: i });
      i++;
    } else if (ch === '"') {
      const start = i;
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new FilterSyntaxError('unterminated string', start);
        const c = text[i]!;
        if (c === '"') { i++; break; }
        if (c === '\\') {
          const next = text[i + 1];
          const escapes: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
          if (next !== undefined && next in escapes) { value += escapes[next]; i += 2; continue; }
          if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
            value += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
            i += 6;
            continue;
          }
          throw new FilterSyntaxError('invalid escape in string', i);
        }
        if (c.charCodeAt(0) < 0x20) throw new FilterSyntaxError('control character in string', i);
        value += c;
        i++;
      }
      tokens.push({ kind: 'string', text: value, pos: start });
    } else if (/[-0-9]/.test(ch)) {
      const match = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/.exec(text.slice(i));
      if (!match) throw new FilterSyntaxError('invalid number', i);
      const value = Number(match[0]);
      // 1e999 would become Infinity, which no stored value equals and SQL cannot bind portably.
      if (!Number.isFinite(value)) throw new FilterSyntaxError('number out of range', i);
      tokens.push({ kind: 'number', value, pos: i });
      i += match[0].length;
    } else {
      const match = /^[^\s()[\]"]+/.exec(text.slice(i));
      if (!match) throw new FilterSyntaxError(`unexpected character ${JSON.stringify(ch)}`, i);
      tokens.push({ kind: 'word', text: match[0], pos: i });
      i += match[0].length;
    }
  }
  return tokens;
}

class Parser {
  readonly #tokens: Token[];
  readonly #limits: ParseLimits;
  readonly #end: number;
  #index = 0;
  #terms = 0;

  constructor(tokens: Token[], limits: ParseLimits, end: number) {
    this.#tokens = tokens;
    this.#limits = limits;
    this.#end = end;
  }

  parse(): Filter {
    const filter = this.#or(0);
    const extra = this.#peek();
    if (extra) throw new FilterSyntaxError(`unexpected ${describe(extra)}`, extra.pos);
    return filter;
  }

  #peek(): Token | undefined {
    return this.#tokens[this.#index];
  }

  #next(expected: string): Token {
    const token = this.#tokens[this.#index++];
    if (!token) throw new FilterSyntaxError(`expected ${expected} but the filter ended`, this.#end);
    return token;
  }

  #keyword(word: string): boolean {
    const token = this.#peek();
    if (token?.kind === 'word' && token.text.toLowerCase() === word) {
      this.#index++;
      return true;
    }
    return false;
  }

  #or(depth: number): Filter {
    let left = this.#and(depth);
    while (this.#keyword('or')) left = { op: 'or', left, right: this.#and(depth) };
    return left;
  }

  #and(depth: number): Filter {
    let left = this.#unary(depth);
    while (this.#keyword('and')) left = { op: 'and', left, right: this.#unary(depth) };
    return left;
  }

  #unary(depth: number): Filter {
    if (depth > this.#limits.maxDepth) {
      throw new FilterSyntaxError(`nesting deeper than ${this.#limits.maxDepth}`, this.#peek()?.pos ?? this.#end);
    }
    if (this.#keyword('not')) {
      this.#expectPunct('(');
      const filter = this.#or(depth + 1);
      this.#expectPunct(')');
      return { op: 'not', filter };
    }
    const token = this.#peek();
    if (token?.kind === 'punct' && token.text === '(') {
      this.#index++;
      const filter = this.#or(depth + 1);
      this.#expectPunct(')');
      return filter;
    }
    return this.#attrExp(depth);
  }

  #attrExp(depth: number): Filter {
    const pathToken = this.#next('an attribute name');
    if (pathToken.kind !== 'word' || !attrPathPattern.test(pathToken.text)) {
      throw new FilterSyntaxError(`expected an attribute name but found ${describe(pathToken)}`, pathToken.pos);
    }
    const path = pathToken.text;
    if (++this.#terms > this.#limits.maxTerms) {
      throw new FilterSyntaxError(`more than ${this.#limits.maxTerms} comparisons`, pathToken.pos);
    }
    const after = this.#peek();
    if (after?.kind === 'punct' && after.text === '[') {
      this.#index++;
      const filter = this.#or(depth + 1);
      this.#expectPunct(']');
      return { op: 'valuePath', path, filter };
    }
    const opToken = this.#next('an operator');
    const op = opToken.kind === 'word' ? opToken.text.toLowerCase() : '';
    if (op === 'pr') return { op: 'pr', path };
    if (!(compareOperators as readonly string[]).includes(op)) {
      throw new FilterSyntaxError(`expected an operator (eq, ne, co, sw, ew, gt, lt, ge, le, pr) but found ${describe(opToken)}`, opToken.pos);
    }
    const valueToken = this.#next('a value');
    return { op: op as CompareOperator, path, value: this.#value(valueToken) };
  }

  #value(token: Token): FilterValue {
    if (token.kind === 'string') return token.text;
    if (token.kind === 'number') return token.value;
    if (token.kind === 'word') {
      const word = token.text.toLowerCase();
      if (word === 'true') return true;
      if (word === 'false') return false;
      if (word === 'null') return null;
    }
    throw new FilterSyntaxError(`expected a quoted string, number, true, false or null but found ${describe(token)}`, token.pos);
  }

  #expectPunct(text: '(' | ')' | ']'): void {
    const token = this.#next(`"${text}"`);
    if (token.kind !== 'punct' || token.text !== text) {
      throw new FilterSyntaxError(`expected "${text}" but found ${describe(token)}`, token.pos);
    }
  }
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'string': return 'a string';
    case 'number': return `the number ${token.value}`;
    default: return `"${token.text.length > 40 ? `${token.text.slice(0, 40)}…` : token.text}"`;
  }
}

/** Parses a SCIM filter; throws {@link FilterSyntaxError} with a position on any violation. */
export function parseFilter(text: string, limits: Partial<ParseLimits> = {}): Filter {
  const effective = { ...defaultLimits, ...limits };
  if (text.length > effective.maxLength) {
    throw new FilterSyntaxError(`filter longer than ${effective.maxLength} characters`, effective.maxLength);
  }
  const tokens = tokenize(text);
  if (tokens.length === 0) throw new FilterSyntaxError('empty filter', 0);
  return new Parser(tokens, effective, text.length).parse();
}
