/**
 * SCIM filter parsing (RFC 7644 §3.4.2.2): the exact tree for the RFC's own examples, precedence,
 * case-insensitive keywords, literals, every class of syntax error with its position, the limits,
 * and a seeded property test over random input.
 */
import { describe, expect, it } from 'vitest';
import { FilterSyntaxError, compareOperators, parseFilter, type Filter, type FilterValue, type ParseLimits } from '../../src/protocols/scim/filter.ts';

// Tree builders, so expected trees read like the filters they stand for.
const cmp = (path: string, op: (typeof compareOperators)[number], value: FilterValue): Filter => ({ op, path, value });
const eq = (path: string, value: FilterValue) => cmp(path, 'eq', value);
const pr = (path: string): Filter => ({ op: 'pr', path });
const and = (left: Filter, right: Filter): Filter => ({ op: 'and', left, right });
const or = (left: Filter, right: Filter): Filter => ({ op: 'or', left, right });
const not = (filter: Filter): Filter => ({ op: 'not', filter });
const valuePath = (path: string, filter: Filter): Filter => ({ op: 'valuePath', path, filter });

/** The error a filter is rejected with; fails the test if it parses or throws anything else. */
function rejection(text: string, limits?: Partial<ParseLimits>): FilterSyntaxError {
  try {
    parseFilter(text, limits);
  } catch (error) {
    if (error instanceof FilterSyntaxError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be rejected`);
}

describe('RFC 7644 §3.4.2.2 filter examples', () => {
  const enterprise = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
  const vectors: [string, Filter][] = [
    ['userName eq "bjensen"', eq('userName', 'bjensen')],
    [`name.familyName co "O'Malley"`, cmp('name.familyName', 'co', "O'Malley")],
    ['userName sw "J"', cmp('userName', 'sw', 'J')],
    ['urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"',
      cmp('urn:ietf:params:scim:schemas:core:2.0:User:userName', 'sw', 'J')],
    ['title pr', pr('title')],
    ['meta.lastModified gt "2011-05-13T04:42:34Z"', cmp('meta.lastModified', 'gt', '2011-05-13T04:42:34Z')],
    ['meta.lastModified ge "2011-05-13T04:42:34Z"', cmp('meta.lastModified', 'ge', '2011-05-13T04:42:34Z')],
    ['meta.lastModified lt "2011-05-13T04:42:34Z"', cmp('meta.lastModified', 'lt', '2011-05-13T04:42:34Z')],
    ['meta.lastModified le "2011-05-13T04:42:34Z"', cmp('meta.lastModified', 'le', '2011-05-13T04:42:34Z')],
    ['title pr and userType eq "Employee"', and(pr('title'), eq('userType', 'Employee'))],
    ['title pr or userType eq "Intern"', or(pr('title'), eq('userType', 'Intern'))],
    [`schemas eq "${enterprise}"`, eq('schemas', enterprise)],
    ['userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
      and(eq('userType', 'Employee'), or(cmp('emails', 'co', 'example.com'), cmp('emails.value', 'co', 'example.org')))],
    ['userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
      and(cmp('userType', 'ne', 'Employee'), not(or(cmp('emails', 'co', 'example.com'), cmp('emails.value', 'co', 'example.org'))))],
    ['userType eq "Employee" and (emails.type eq "work")', and(eq('userType', 'Employee'), eq('emails.type', 'work'))],
    ['userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
      and(eq('userType', 'Employee'), valuePath('emails', and(eq('type', 'work'), cmp('value', 'co', '@example.com'))))],
    ['emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
      or(valuePath('emails', and(eq('type', 'work'), cmp('value', 'co', '@example.com'))),
        valuePath('ims', and(eq('type', 'xmpp'), cmp('value', 'co', '@foo.com'))))],
  ];

  it.each(vectors)('%s', (text, tree) => {
    expect(parseFilter(text)).toEqual(tree);
  });

  it('parses every comparison operator', () => {
    for (const op of compareOperators) expect(parseFilter(`x ${op} 1`)).toEqual(cmp('x', op, 1));
  });
});

describe('precedence: not > and > or, grouping first', () => {
  const a = pr('a'), b = pr('b'), c = pr('c'), d = pr('d');
  it.each([
    ['a pr or b pr and c pr', or(a, and(b, c))],
    ['a pr and b pr or c pr', or(and(a, b), c)],
    ['a pr and b pr or c pr and d pr', or(and(a, b), and(c, d))],
    ['a pr or b pr or c pr', or(or(a, b), c)],
    ['a pr and b pr and c pr', and(and(a, b), c)],
    ['(a pr or b pr) and c pr', and(or(a, b), c)],
    ['a pr and (b pr or c pr)', and(a, or(b, c))],
    ['not (a pr) and b pr', and(not(a), b)],
    ['not (a pr or b pr) or c pr', or(not(or(a, b)), c)],
    ['a pr or not (b pr) and c pr', or(a, and(not(b), c))],
    ['not (not (a pr))', not(not(a))],
    ['((a pr))', a],
    ['x[a pr or b pr] and c pr', and(valuePath('x', or(a, b)), c)],
    ['x[a pr and not (b pr)]', valuePath('x', and(a, not(b)))],
  ] as [string, Filter][])('%s', (text, tree) => {
    expect(parseFilter(text)).toEqual(tree);
  });
});

describe('keywords and operators are case-insensitive; attribute names are kept as written', () => {
  it.each([
    ['userName EQ "bjensen"', eq('userName', 'bjensen')],
    ['userName Eq "bjensen"', eq('userName', 'bjensen')],
    ['title PR', pr('title')],
    ['meta.created GE "2020-01-01"', cmp('meta.created', 'ge', '2020-01-01')],
    ['a pr And b pr', and(pr('a'), pr('b'))],
    ['a pr AND b pr OR c pr', or(and(pr('a'), pr('b')), pr('c'))],
    ['NOT (a pr)', not(pr('a'))],
    ['Not (a pr)', not(pr('a'))],
    ['UserName eq "x"', eq('UserName', 'x')],
  ] as [string, Filter][])('%s', (text, tree) => {
    expect(parseFilter(text)).toEqual(tree);
  });
});

describe('values', () => {
  it.each([
    [String.raw`a eq "say \"hi\""`, 'say "hi"'],
    [String.raw`a eq "back\\slash"`, 'back\\slash'],
    [String.raw`a eq "caf\u00e9"`, 'café'],
    [String.raw`a eq "caf\u00E9"`, 'café'],
    [String.raw`a eq "\ud83d\ude00"`, '😀'],
    [String.raw`a eq "a\/b"`, 'a/b'],
    [String.raw`a eq "\b\f\n\r\t"`, '\b\f\n\r\t'],
    ['a eq "café 😀 日本"', 'café 😀 日本'],
    ['a eq ""', ''],
    ['a eq "and or not pr ( ) [ ]"', 'and or not pr ( ) [ ]'],
    ["a eq \"it's\"", "it's"],
  ])('string %s', (text, value) => {
    expect(parseFilter(text)).toEqual(eq('a', value));
  });

  it.each([
    ['a eq 42', 42],
    ['a eq 0', 0],
    ['a eq -7', -7],
    ['a eq 3.25', 3.25],
    ['a eq 1e3', 1000],
    ['a eq 2.5E-2', 0.025],
    ['a eq -1.5e+3', -1500],
    ['a eq 9007199254740993', 9007199254740992],
  ])('number %s', (text, value) => {
    expect(parseFilter(text)).toEqual(eq('a', value));
  });

  it.each([
    ['a eq true', true], ['a eq TRUE', true], ['a eq True', true],
    ['a eq false', false], ['a eq FALSE', false],
    ['a eq null', null], ['a eq NULL', null], ['a ne Null', null],
  ])('literal %s', (text, value) => {
    expect((parseFilter(text) as { value: unknown }).value).toBe(value);
  });

  it('accepts any whitespace between tokens, and none around brackets', () => {
    expect(parseFilter('  userName\teq\n"bjensen"\r\n ')).toEqual(eq('userName', 'bjensen'));
    expect(parseFilter('(a pr)and(b pr)')).toEqual(and(pr('a'), pr('b')));
    expect(parseFilter('emails[type eq "work"]')).toEqual(valuePath('emails', eq('type', 'work')));
  });

  it('accepts dotted paths deeper than one sub-attribute (Okta system log paths)', () => {
    expect(parseFilter('debugContext.debugData.requestUri eq "/x"')).toEqual(eq('debugContext.debugData.requestUri', '/x'));
  });
});

describe('syntax errors carry the 0-based position of the problem', () => {
  it('is an Error named FilterSyntaxError whose message ends with the position', () => {
    const error = rejection('userName eq');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('FilterSyntaxError');
    expect(error.message).toBe('expected a value but the filter ended at position 11');
    expect(error.position).toBe(11);
  });

  it.each([
    // [filter, position, message pattern]
    ['', 0, /empty filter/],
    ['   \t ', 0, /empty filter/],
    // missing value / operator / attribute
    ['userName eq', 11, /expected a value but the filter ended/],
    ['userName eq )', 12, /expected a quoted string, number, true, false or null but found "\)"/],
    ['userName eq and title pr', 12, /expected a quoted string, number, true, false or null but found "and"/],
    ['userName eq bjensen', 12, /expected a quoted string/],
    ['userName', 8, /expected an operator but the filter ended/],
    ['a pr and', 8, /expected an attribute name but the filter ended/],
    ['a pr or ()', 9, /expected an attribute name but found "\)"/],
    // unknown operator
    ['userName like "x"', 9, /expected an operator \(eq, ne, co, sw, ew, gt, lt, ge, le, pr\) but found "like"/],
    ['userName == "x"', 9, /expected an operator/],
    ['userName "x"', 9, /expected an operator .* but found a string/],
    ['title present', 6, /expected an operator/],
    // strings
    ['userName eq "bjensen', 12, /unterminated string/],
    [String.raw`a eq "x\"`, 5, /unterminated string/],
    [String.raw`a eq "x\q"`, 7, /invalid escape in string/],
    [String.raw`a eq "x\u12"`, 7, /invalid escape in string/],
    [String.raw`a eq "x\u00g1"`, 7, /invalid escape in string/],
    [String.raw`a eq "x\U00e9"`, 7, /invalid escape in string/],
    ['a eq "x\\', 7, /invalid escape in string/],
    ['a eq "x\ny"', 7, /control character in string/],
    // numbers
    ['a eq -', 5, /invalid number/],
    ['a eq -x', 5, /invalid number/],
    ['a eq 1e999', 5, /number out of range/],
    ['a eq -1e400', 5, /number out of range/],
    ['a eq 01', 6, /unexpected the number 1/],
    ['a eq 1.', 6, /unexpected "\."/],
    ['a eq .5', 5, /expected a quoted string/],
    // unbalanced grouping
    ['(a pr', 5, /expected "\)" but the filter ended/],
    ['((a pr)', 7, /expected "\)" but the filter ended/],
    ['a pr)', 4, /unexpected "\)"/],
    ['(a pr))', 6, /unexpected "\)"/],
    [')', 0, /expected an attribute name but found "\)"/],
    ['not a pr', 4, /expected "\(" but found "a"/],
    ['not (a pr', 9, /expected "\)" but the filter ended/],
    ['not', 3, /expected "\(" but the filter ended/],
    ['emails[type eq "work"', 21, /expected "\]" but the filter ended/],
    ['emails[type eq "work")', 21, /expected "\]" but found "\)"/],
    ['(emails[type eq "work")]', 22, /expected "\]" but found "\)"/],
    ['a pr]', 4, /unexpected "\]"/],
    ['[a pr]', 0, /expected an attribute name but found "\["/],
    // trailing tokens
    ['title pr title pr', 9, /unexpected "title"/],
    ['userName eq "a" "b"', 16, /unexpected a string/],
    ['userName eq "a" 5', 16, /unexpected the number 5/],
    ['emails[type eq "work"] pr', 23, /unexpected "pr"/],
    // not an attribute path
    ['1abc eq "x"', 0, /expected an attribute name but found the number 1/],
    ['a;b eq "x"', 0, /expected an attribute name but found "a;b"/],
    ['"userName" eq "x"', 0, /expected an attribute name but found a string/],
    ['_a pr', 0, /expected an attribute name but found "_a"/],
    ['a..b pr', 0, /expected an attribute name/],
    ['a. pr', 0, /expected an attribute name/],
    ['.a pr', 0, /expected an attribute name/],
    ['a.1b pr', 0, /expected an attribute name/],
    ['na*me pr', 0, /expected an attribute name/],
    ['nämé pr', 0, /expected an attribute name/],
    ['urn:x pr', 0, /expected an attribute name/],
    ['userName eq "x" and 9lives pr', 20, /expected an attribute name but found the number 9/],
    ['a pr and b\'c pr', 9, /expected an attribute name/],
    ['a\u00a0pr', 1, /unexpected character/],
  ] as [string, number, RegExp][])('%j at %i', (text, position, message) => {
    const error = rejection(text);
    expect(error.message).toMatch(message);
    expect(error.position).toBe(position);
    expect(error.message.endsWith(`at position ${position}`)).toBe(true);
  });

  it('reports the first problem when there are several', () => {
    expect(rejection('1x eq "unterminated').position).toBe(6);
    expect(rejection('1x eq "y" and').position).toBe(0);
  });
});

describe('limits', () => {
  const parens = (n: number) => `${'('.repeat(n)}a pr${')'.repeat(n)}`;
  const nots = (n: number) => `${'not ('.repeat(n)}a pr${')'.repeat(n)}`;
  const brackets = (n: number) => `${'x['.repeat(n)}a pr${']'.repeat(n)}`;
  const terms = (n: number) => Array.from({ length: n }, (_, i) => `a${i} pr`).join(' and ');

  it('accepts 16 levels of nesting and rejects the 17th, at the term nested too deep', () => {
    expect(parseFilter(parens(16))).toEqual(pr('a'));
    const error = rejection(parens(17));
    expect(error.message).toMatch(/nesting deeper than 16/);
    expect(error.position).toBe(17);
  });

  it('counts not and value paths as nesting too', () => {
    expect(() => parseFilter(nots(16))).not.toThrow();
    expect(rejection(nots(17)).message).toMatch(/nesting deeper than 16/);
    expect(rejection(nots(17)).position).toBe('not ('.length * 17);
    expect(() => parseFilter(brackets(16))).not.toThrow();
    expect(rejection(brackets(17)).message).toMatch(/nesting deeper than 16/);
    expect(rejection(`${'('.repeat(8)}${'not ('.repeat(8)}x[a pr]${')'.repeat(16)}`).message).toMatch(/nesting deeper/);
  });

  it('honours a custom nesting limit', () => {
    expect(parseFilter('(a pr)', { maxDepth: 1 })).toEqual(pr('a'));
    expect(rejection('((a pr))', { maxDepth: 1 }).message).toMatch(/nesting deeper than 1 at position 2/);
    expect(rejection('(a pr)', { maxDepth: 0 }).position).toBe(1);
  });

  it('accepts 64 comparisons and rejects the 65th, at its attribute', () => {
    expect(() => parseFilter(terms(64))).not.toThrow();
    const text = terms(65);
    const error = rejection(text);
    expect(error.message).toMatch(/more than 64 comparisons/);
    expect(error.position).toBe(text.lastIndexOf('a64'));
  });

  it('counts a value path and each comparison inside it as terms', () => {
    expect(parseFilter('emails[type eq "work" and value co "x"]', { maxTerms: 3 })).toEqual(
      valuePath('emails', and(eq('type', 'work'), cmp('value', 'co', 'x'))));
    expect(rejection('emails[type eq "work" and value co "x"]', { maxTerms: 2 }).position).toBe(26);
  });

  it('accepts 4096 characters and rejects 4097, at position 4096, before looking at the text', () => {
    const longest = `a eq "${'x'.repeat(4096 - 7)}"`;
    expect(longest).toHaveLength(4096);
    expect(parseFilter(longest)).toEqual(eq('a', 'x'.repeat(4089)));
    const error = rejection(`${longest} `);
    expect(error.message).toMatch(/filter longer than 4096 characters/);
    expect(error.position).toBe(4096);
    expect(rejection(`"${'('.repeat(5000)}`).message).toMatch(/longer than 4096/);
  });

  it('honours a custom length limit', () => {
    expect(parseFilter('title pr', { maxLength: 8 })).toEqual(pr('title'));
    expect(rejection('title pr ', { maxLength: 8 }).position).toBe(8);
  });
});

// A small seeded PRNG (mulberry32), so every run tests the same inputs and failures reproduce.
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** True for a well-formed tree: every node has a known op and the fields that op needs. */
function isWellFormed(node: Filter): boolean {
  switch (node.op) {
    case 'and': case 'or': return isWellFormed(node.left) && isWellFormed(node.right);
    case 'not': return isWellFormed(node.filter);
    case 'valuePath': return typeof node.path === 'string' && isWellFormed(node.filter);
    case 'pr': return typeof node.path === 'string' && node.path.length > 0;
    default:
      return (compareOperators as readonly string[]).includes(node.op) && typeof node.path === 'string'
        && (node.value === null || ['string', 'boolean'].includes(typeof node.value)
          || (typeof node.value === 'number' && Number.isFinite(node.value)));
  }
}

describe('property: any input parses to a tree or throws FilterSyntaxError, nothing else', () => {
  const fragments = [
    'userName', 'emails', 'emails.value', 'meta.lastModified', 'urn:ietf:params:scim:schemas:core:2.0:User:userName',
    'eq', 'EQ', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr', 'Pr', 'xx',
    'and', 'AND', 'or', 'Or', 'not', 'NOT', 'true', 'false', 'null',
    '(', ')', '[', ']', '"', '"bjensen"', '"a\\"b"', '"\\u00e9"', '"\\u12"', '"\\q"', '\\',
    '0', '42', '-1.5e3', '1e999', '-', '.', ':', ';', '$', '_', '1abc', ' ', ' ', ' ', '\t', '\n', '\u00a0', 'é', '😀', '\u0000',
  ];
  const rand = prng(0x5c1f);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const randomChar = () => String.fromCharCode(rand() < 0.7 ? 0x20 + Math.floor(rand() * 0x5f) : Math.floor(rand() * 0x10000));
  const valid = [
    'userName eq "bjensen"', 'title pr and userType eq "Employee"', 'a eq 1.5e3 or not (b ne null)',
    'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
    'urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"', String.raw`x eq "caf\u00e9 \"q\""`,
  ];
  const inputs: string[] = [];
  // Soup of the grammar's own tokens.
  for (let i = 0; i < 200; i++) {
    inputs.push(Array.from({ length: 1 + Math.floor(rand() * 14) }, () => pick(fragments)).join(pick(['', ' ', ' '])));
  }
  // Valid filters with one to three characters inserted, deleted or replaced.
  for (let i = 0; i < 200; i++) {
    let text = pick(valid);
    for (let edits = 1 + Math.floor(rand() * 3); edits > 0; edits--) {
      const at = Math.floor(rand() * (text.length + 1));
      const r = rand();
      const insert = r < 0.5 ? pick(['(', ')', '[', ']', '"', '\\', ' ', '-', '.', 'e', '0']) : randomChar();
      text = r < 0.33 ? text.slice(0, at) + text.slice(at + 1) : text.slice(0, at) + insert + text.slice(r < 0.66 ? at : at + 1);
    }
    inputs.push(text);
  }
  // Arbitrary UTF-16, lone surrogates and control characters included.
  for (let i = 0; i < 150; i++) inputs.push(Array.from({ length: Math.floor(rand() * 40) }, randomChar).join(''));
  inputs.push('('.repeat(3000), 'not ('.repeat(800), 'a['.repeat(2000), 'a pr and '.repeat(450), '"'.repeat(4096));

  it(`holds for ${inputs.length} seeded random inputs`, () => {
    let parsed = 0;
    for (const text of inputs) {
      let tree: Filter;
      try {
        tree = parseFilter(text);
      } catch (error) {
        if (!(error instanceof FilterSyntaxError)) throw new Error(`${JSON.stringify(text)} threw ${String(error)}`);
        expect(Number.isInteger(error.position), JSON.stringify(text)).toBe(true);
        expect(error.position, JSON.stringify(text)).toBeGreaterThanOrEqual(0);
        expect(error.position, JSON.stringify(text)).toBeLessThanOrEqual(text.length);
        continue;
      }
      parsed++;
      expect(isWellFormed(tree), JSON.stringify(text)).toBe(true);
    }
    // The generator must reach both outcomes for the property to mean anything.
    expect(parsed).toBeGreaterThan(20);
    expect(parsed).toBeLessThan(inputs.length);
  });

  // Random trees printed back as text, with the fewest parentheses the precedence allows and
  // random keyword case and spacing, must parse to the same tree.
  const names = ['userName', 'title', 'emails.value', 'meta.lastModified', 'urn:ietf:params:scim:schemas:core:2.0:User:userName', 'x1'];
  function randomValue(): FilterValue {
    const r = rand();
    if (r < 0.5) return Array.from({ length: Math.floor(rand() * 6) }, () => String.fromCharCode(Math.floor(rand() * 0x3000))).join('');
    if (r < 0.7) return Math.floor(rand() * 2000) - 1000 + (rand() < 0.5 ? 0 : 0.25);
    return pick([true, false, null]);
  }
  function randomTree(depth: number): Filter {
    const r = rand();
    if (depth >= 4 || r < 0.35) return rand() < 0.2 ? pr(pick(names)) : cmp(pick(names), pick(compareOperators), randomValue());
    if (r < 0.6) return and(randomTree(depth + 1), randomTree(depth + 1));
    if (r < 0.85) return or(randomTree(depth + 1), randomTree(depth + 1));
    if (r < 0.93) return not(randomTree(depth + 1));
    return valuePath('emails', randomTree(depth + 1));
  }
  const randomCase = (word: string) => [...word].map((c) => (rand() < 0.5 ? c.toUpperCase() : c)).join('');
  const space = () => pick([' ', '  ', '\t', '\n ']);
  const precedence = (node: Filter) => (node.op === 'or' ? 1 : node.op === 'and' ? 2 : 3);
  function print(node: Filter): string {
    switch (node.op) {
      case 'and': case 'or': {
        const p = precedence(node);
        const left = precedence(node.left) < p ? `(${print(node.left)})` : print(node.left);
        // Both operators associate to the left, so a right operand of the same precedence needs parentheses.
        const right = precedence(node.right) <= p ? `(${print(node.right)})` : print(node.right);
        return `${left}${space()}${randomCase(node.op)}${space()}${right}`;
      }
      case 'not': return `${randomCase('not')}${space()}(${print(node.filter)})`;
      case 'valuePath': return `${node.path}[${print(node.filter)}]`;
      case 'pr': return `${node.path}${space()}${randomCase('pr')}`;
      default: {
        const value = typeof node.value === 'boolean' || node.value === null ? randomCase(String(node.value)) : JSON.stringify(node.value);
        return `${node.path}${space()}${randomCase(node.op)}${space()}${value}`;
      }
    }
  }

  it('round-trips 300 seeded random trees through text', () => {
    for (let i = 0; i < 300; i++) {
      const tree = randomTree(0);
      const text = print(tree);
      expect(parseFilter(text), text).toEqual(tree);
    }
  });
});
