/**
 * Parses the expression language into a tree, checking everything that can be checked before a
 * user signs in: attribute roots, function names and argument counts, literal regular
 * expressions, `getInternalProperty` names and group limits.
 *
 * ```
 * expression  = or [ "?" expression ":" expression | "?:" expression ]
 * or          = and { ("||" | OR) and }
 * and         = comparison { ("&&" | AND) comparison }
 * comparison  = sum [ ("==" | "!=" | "<" | "<=" | ">" | ">=" | EQ | NE | LT | LE | GT | GE | MATCHES) sum ]
 * sum         = unary { ("+" | "-") unary }
 * unary       = ("!" | NOT | "-") unary | primary
 * primary     = string | number | TRUE | FALSE | NULL | "(" expression ")"
 *             | "{" [ expression { "," expression } ] "}"
 *             | root { "." name } | "user" "." "getInternalProperty" "(" string ")"
 *             | [ namespace "." ] name "(" [ expression { "," expression } ] ")"
 * root        = "user" | "appuser" | "app" | "org" | "session"
 * ```
 * Word operators and `true`/`false`/`null` are case-insensitive, names are not. Precedence and
 * associativity follow SpEL: comparisons do not chain (`a == b == c` is an error), `+ - && ||`
 * associate left, `?:` and `? :` right.
 */
import { contextRoots, type ComparisonOperator, type Node, type RootName } from './ast.ts';
import type { PrepareTools } from './call-kit.ts';
import { defaultLimits, type ExpressionLimits } from './context.ts';
import { ExpressionSyntaxError } from './errors.ts';
import { functions, namespaces, suggestFunction } from './functions.ts';
import { tokenize, type Punctuation, type Token } from './lexer.ts';
import { compileRegex, RegexSyntaxError, type SafeRegex } from './regex.ts';

/** A parsed, checked expression, ready for {@link evaluate}. */
export interface Expression {
  readonly source: string;
  readonly tree: Node;
  readonly limits: ExpressionLimits;
}

const wordOperators: ReadonlyMap<string, Punctuation | 'matches'> = new Map([
  ['and', '&&'], ['or', '||'], ['not', '!'], ['eq', '=='], ['ne', '!='],
  ['lt', '<'], ['le', '<='], ['gt', '>'], ['ge', '>='], ['matches', 'matches'],
] as const);
const comparisons: ReadonlySet<string> = new Set(['==', '!=', '<', '<=', '>', '>=', 'matches']);
const unreadable: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
const unsupported: ReadonlyMap<string, string> = new Map([
  ['T', 'type references T(…) are not supported'],
  ['new', 'constructors are not supported'],
  ['this', 'the expression has no "this"; start from user, appuser, app, org or session'],
  ['root', 'the expression has no "root"; start from user, appuser, app, org or session'],
]);

function describe(token: Token): string {
  switch (token.kind) {
    case 'string': return 'a string';
    case 'number': return `the number ${token.value}`;
    case 'name': return `"${token.text.length > 40 ? `${token.text.slice(0, 40)}…` : token.text}"`;
    case 'punct': return `"${token.text}"`;
  }
}

const arity = (min: number, max: number) =>
  min === max ? `${min} argument${min === 1 ? '' : 's'}` : max === Infinity ? `at least ${min} argument${min === 1 ? '' : 's'}` : `${min} to ${max} arguments`;

class Parser {
  readonly #tokens: readonly Token[];
  readonly #limits: ExpressionLimits;
  readonly #end: number;
  readonly #roots: readonly RootName[];
  #index = 0;
  #depth = 0;

  constructor(tokens: readonly Token[], limits: ExpressionLimits, end: number, roots: readonly RootName[]) {
    this.#tokens = tokens;
    this.#limits = limits;
    this.#end = end;
    this.#roots = roots;
  }

  parse(): Node {
    const node = this.#expression();
    const extra = this.#peek();
    if (extra) throw new ExpressionSyntaxError(`unexpected ${describe(extra)}`, extra.pos);
    return node;
  }

  #peek(): Token | undefined {
    return this.#tokens[this.#index];
  }

  #next(expected: string): Token {
    const token = this.#tokens[this.#index++];
    if (!token) throw new ExpressionSyntaxError(`expected ${expected} but the expression ended`, this.#end);
    return token;
  }

  #isPunct(text: Punctuation): boolean {
    const token = this.#peek();
    return token?.kind === 'punct' && token.text === text;
  }

  #expect(text: Punctuation): void {
    const token = this.#next(`"${text}"`);
    if (token.kind !== 'punct' || token.text !== text) throw new ExpressionSyntaxError(`expected "${text}" but found ${describe(token)}`, token.pos);
  }

  /** The operator the next token spells, symbol or word. */
  #operator(): string | undefined {
    const token = this.#peek();
    if (token?.kind === 'punct') return token.text;
    if (token?.kind === 'name') return wordOperators.get(token.text.toLowerCase());
    return undefined;
  }

  #nested<T>(parse: () => T): T {
    if (++this.#depth > this.#limits.maxDepth) {
      throw new ExpressionSyntaxError(`nesting deeper than ${this.#limits.maxDepth}`, this.#peek()?.pos ?? this.#end);
    }
    const result = parse();
    this.#depth--;
    return result;
  }

  #expression(): Node {
    return this.#nested(() => {
      const test = this.#or();
      const token = this.#peek();
      if (token?.kind === 'punct' && token.text === '?') {
        this.#index++;
        const then = this.#expression();
        this.#expect(':');
        return { kind: 'conditional', test, then, otherwise: this.#expression(), pos: token.pos };
      }
      if (token?.kind === 'punct' && token.text === '?:') {
        this.#index++;
        return { kind: 'elvis', value: test, fallback: this.#expression(), pos: token.pos };
      }
      return test;
    });
  }

  #or(): Node {
    let left = this.#and();
    while (this.#operator() === '||') {
      const pos = this.#next('||').pos;
      left = { kind: 'or', left, right: this.#and(), pos };
    }
    return left;
  }

  #and(): Node {
    let left = this.#comparison();
    while (this.#operator() === '&&') {
      const pos = this.#next('&&').pos;
      left = { kind: 'and', left, right: this.#comparison(), pos };
    }
    return left;
  }

  #comparison(): Node {
    const left = this.#sum();
    const op = this.#operator();
    if (op === undefined || !comparisons.has(op)) return left;
    const pos = this.#next(op).pos;
    const right = this.#sum();
    const again = this.#operator();
    if (again !== undefined && comparisons.has(again)) {
      throw new ExpressionSyntaxError('comparisons do not chain; join them with && or add parentheses', this.#peek()!.pos);
    }
    let pattern: SafeRegex | undefined;
    if (op === 'matches' && right.kind === 'literal' && typeof right.value === 'string') {
      pattern = this.#compile(right.value, right.pos);
    }
    return { kind: 'compare', op: op as ComparisonOperator, left, right, pos, ...(pattern ? { pattern } : {}) };
  }

  #sum(): Node {
    let left = this.#unary();
    for (let op = this.#operator(); op === '+' || op === '-'; op = this.#operator()) {
      const pos = this.#next(op).pos;
      left = { kind: op === '+' ? 'add' : 'subtract', left, right: this.#unary(), pos };
    }
    return left;
  }

  #unary(): Node {
    const op = this.#operator();
    if (op === '!' || op === '-') {
      const pos = this.#next(op).pos;
      return this.#nested(() => ({ kind: op === '!' ? 'not' : 'negate', operand: this.#unary(), pos }));
    }
    const node = this.#primary();
    const after = this.#peek();
    if (after?.kind === 'punct' && after.text === '.') {
      throw new ExpressionSyntaxError('"." can only follow user, appuser, app, org, session or one of their attributes; use the String.* and Arrays.* functions on values', after.pos);
    }
    return node;
  }

  #primary(): Node {
    const token = this.#next('a value');
    switch (token.kind) {
      case 'string': case 'number': return { kind: 'literal', value: token.value, pos: token.pos };
      case 'name': return this.#name(token);
      case 'punct':
        if (token.text === '(') {
          const inner = this.#expression();
          this.#expect(')');
          return inner;
        }
        if (token.text === '{') return { kind: 'array', items: this.#list('}'), pos: token.pos };
        throw new ExpressionSyntaxError(`expected a value but found ${describe(token)}`, token.pos);
    }
  }

  /** Comma-separated expressions up to the closing punctuation, which is consumed. */
  #list(close: ')' | '}'): Node[] {
    const items: Node[] = [];
    if (this.#isPunct(close)) { this.#index++; return items; }
    for (;;) {
      items.push(this.#expression());
      const token = this.#next(`"," or "${close}"`);
      if (token.kind === 'punct' && token.text === close) return items;
      if (token.kind !== 'punct' || token.text !== ',') throw new ExpressionSyntaxError(`expected "," or "${close}" but found ${describe(token)}`, token.pos);
    }
  }

  #name(token: Token & { kind: 'name' }): Node {
    const text = token.text;
    const lower = text.toLowerCase();
    if (lower === 'true' || lower === 'false') return { kind: 'literal', value: lower === 'true', pos: token.pos };
    if (lower === 'null') return { kind: 'literal', value: null, pos: token.pos };
    if (wordOperators.has(lower)) throw new ExpressionSyntaxError(`expected a value but found the operator ${describe(token)}`, token.pos);
    if ((this.#roots as readonly string[]).includes(text)) return this.#reference(text as RootName, token.pos);
    if (namespaces.has(text)) {
      this.#expect('.');
      const member = this.#next('a function name');
      if (member.kind !== 'name') throw new ExpressionSyntaxError(`expected a function name after "${text}." but found ${describe(member)}`, member.pos);
      return this.#call(`${text}.${member.text}`, token.pos);
    }
    if (this.#isPunct('(') && !unsupported.has(text)) return this.#call(text, token.pos);
    const hint = unsupported.get(text)
      ?? (this.#roots.find((root) => root === lower) ? `did you mean ${lower}? Names are case-sensitive` : undefined)
      ?? `an expression starts from ${this.#roots.join(', ')}, a literal, or a function such as String.toLowerCase(…)`;
    throw new ExpressionSyntaxError(`unknown name "${text}": ${hint}`, token.pos);
  }

  #reference(root: RootName, pos: number): Node {
    const path: string[] = [];
    while (this.#isPunct('.')) {
      this.#index++;
      const name = this.#next('an attribute name');
      if (name.kind !== 'name') throw new ExpressionSyntaxError(`expected an attribute name after "." but found ${describe(name)}`, name.pos);
      if (unreadable.has(name.text) || name.text.startsWith('__')) {
        throw new ExpressionSyntaxError(`"${name.text}" is not an attribute that can be read`, name.pos);
      }
      if (this.#isPunct('(')) {
        if (root === 'user' && path.length === 0 && name.text === 'getInternalProperty') return this.#internal(pos);
        throw new ExpressionSyntaxError(`method calls are not supported ("${name.text}(…)"); use the String.* and Arrays.* functions, e.g. String.toLowerCase(user.email)`, name.pos);
      }
      path.push(name.text);
    }
    return { kind: 'attribute', root, path, pos };
  }

  #internal(pos: number): Node {
    this.#expect('(');
    const arg = this.#next('"id" or "status"');
    if (arg.kind !== 'string' || (arg.value !== 'id' && arg.value !== 'status')) {
      throw new ExpressionSyntaxError('getInternalProperty takes "id" or "status"', arg.pos);
    }
    this.#expect(')');
    return { kind: 'internal', property: arg.value, pos };
  }

  #call(name: string, pos: number): Node {
    const spec = functions.get(name);
    if (!spec) {
      const suggestion = suggestFunction(name);
      throw new ExpressionSyntaxError(`unknown function ${name}${suggestion ? `; did you mean ${suggestion}?` : ''}`, pos);
    }
    if (!this.#isPunct('(')) throw new ExpressionSyntaxError(`${name} is a function: call it as ${name}${spec.params}`, pos);
    this.#index++;
    const args = this.#nested(() => this.#list(')'));
    if (args.length < spec.min || args.length > spec.max) {
      throw new ExpressionSyntaxError(`${name}${spec.params} takes ${arity(spec.min, spec.max)}, not ${args.length}`, pos);
    }
    const prepared = spec.prepare?.(args, this.#tools()) ?? {};
    return { kind: 'call', name, args, pos, ...prepared };
  }

  #compile(source: string, pos: number): SafeRegex {
    try {
      return compileRegex(source);
    } catch (error) {
      if (error instanceof RegexSyntaxError) {
        throw new ExpressionSyntaxError(`invalid regular expression (${error.message} at offset ${error.position} of the pattern)`, pos);
      }
      throw error;
    }
  }

  #tools(): PrepareTools {
    return {
      fail: (message, position) => { throw new ExpressionSyntaxError(message, position); },
      literalPattern: (node, transform = (source) => source) =>
        node.kind === 'literal' && typeof node.value === 'string' ? this.#compile(transform(node.value), node.pos) : undefined,
      groupExpression: (node) => {
        if (node.kind !== 'literal' || typeof node.value !== 'string') {
          throw new ExpressionSyntaxError('the group expression must be a string literal, such as "group.name"', node.pos);
        }
        try {
          return parseTree(node.value, this.#limits, [...contextRoots, 'group']);
        } catch (error) {
          if (!(error instanceof ExpressionSyntaxError)) throw error;
          const detail = error.message.replace(/ at position \d+$/, '');
          throw new ExpressionSyntaxError(`in the group expression (offset ${error.position}): ${detail}`, node.pos);
        }
      },
    };
  }
}

function parseTree(text: string, limits: ExpressionLimits, roots: readonly RootName[]): Node {
  if (text.length > limits.maxLength) throw new ExpressionSyntaxError(`expression longer than ${limits.maxLength} characters`, limits.maxLength);
  const tokens = tokenize(text);
  if (tokens.length === 0) throw new ExpressionSyntaxError('empty expression', 0);
  return new Parser(tokens, limits, text.length, roots).parse();
}

/**
 * Parses and checks an expression; throws {@link ExpressionSyntaxError} with a position for
 * bad syntax, unknown names, wrong argument counts, invalid literal patterns and the limits.
 */
export function parseExpression(text: string, limits: Partial<ExpressionLimits> = {}): Expression {
  const effective = Object.freeze({ ...defaultLimits, ...limits });
  return Object.freeze({ source: text, tree: parseTree(text, effective, contextRoots), limits: effective });
}
