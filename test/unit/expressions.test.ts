/**
 * The expression language (src/protocols/expressions): parser vectors (precedence, quoting,
 * errors with positions, limits), Okta's documented examples for every function, null handling,
 * the group functions and group filters, the regular-expression safety rule, a seeded property
 * test over random input, and hostile expressions that must not reach a prototype.
 */
import { describe, expect, it } from 'vitest';
import {
  defaultLimits, evaluate, ExpressionEvaluationError, ExpressionSyntaxError, filterGroups, functions,
  parseExpression, printNode, type ExpressionContext, type ExpressionGroup, type ExpressionLimits, type ExpressionValue,
} from '../../src/protocols/expressions/index.ts';
import { compileRegex, RegexSyntaxError } from '../../src/protocols/expressions/regex.ts';

const now = new Date('2015-07-31T17:18:37.979Z');
const groups: ExpressionGroup[] = [
  { id: '00g1', name: 'Everyone', type: 'BUILT_IN' },
  { id: '00g2', name: 'IT', type: 'OKTA_GROUP' },
  { id: '00g3', name: 'IT-admins', type: 'OKTA_GROUP' },
  { id: '00g4', name: 'San Francisco', type: 'OKTA_GROUP' },
  { id: '00g5', name: 'ad-Engineering', type: 'APP_GROUP', source: { id: '0oaAD', name: 'active_directory' } },
  { id: '00g6', name: 'ad-IT', type: 'APP_GROUP', source: { id: '0oaAD', name: 'active_directory' } },
];
const context: ExpressionContext = {
  user: {
    firstName: 'Winston', lastName: 'Churchill', email: 'winston.churchill@gmail.com', login: 'winston.churchill@gmail.com',
    middleInitial: '', city: 'San Francisco', salary: 1_500_000, isContractor: false, groupCode: 123,
    favoriteColors: ['blue', 'red'], employeeNumber: 42, hired: new Date('2001-02-03T04:05:06.000Z'),
    address: { city: 'London', lines: ['10 Downing St'] },
  },
  userInternal: { id: '00u1', status: 'ACTIVE' },
  appuser: { username: 'wchurchill', role: 'admin' },
  app: { id: '0oa1', clientId: 'client-1', label: 'Portal', profile: { allowlist: ['00g2', '00g4', '00gX'], maxLimit: 2 } },
  org: { name: 'Acme', subdomain: 'acme' },
  session: { amr: ['pwd', 'mfa'] },
  groups,
  now,
};

const run = (text: string, ctx: ExpressionContext = context, limits?: Partial<ExpressionLimits>): ExpressionValue =>
  evaluate(parseExpression(text, limits), ctx);
const tree = (text: string) => printNode(parseExpression(text).tree);

/** The syntax error an expression is rejected with; fails the test if it parses or throws anything else. */
function rejection(text: string, limits?: Partial<ExpressionLimits>): ExpressionSyntaxError {
  try {
    parseExpression(text, limits);
  } catch (error) {
    if (error instanceof ExpressionSyntaxError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be rejected`);
}

/** The evaluation error an expression fails with for the default context. */
function failure(text: string, ctx: ExpressionContext = context, limits?: Partial<ExpressionLimits>): ExpressionEvaluationError {
  const expression = parseExpression(text, limits);
  try {
    evaluate(expression, ctx);
  } catch (error) {
    if (error instanceof ExpressionEvaluationError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(text)} to fail`);
}

describe('parser: precedence and associativity (SpEL)', () => {
  it.each([
    ['user.a + user.b == user.c', '((user.a + user.b) == user.c)'],
    ['user.a == 1 && user.b == 2 || user.c', '(((user.a == 1) && (user.b == 2)) || user.c)'],
    ['user.a || user.b && user.c', '(user.a || (user.b && user.c))'],
    ['!user.a == true', '(!user.a == true)'],
    ['!(user.a == true)', '!(user.a == true)'],
    ['-1 + 2', '(-1 + 2)'],
    ['1 - 2 - 3', '((1 - 2) - 3)'],
    ['1 - (2 - 3)', '(1 - (2 - 3))'],
    ['"a" + "b" + "c"', '(("a" + "b") + "c")'],
    ['user.a ? 1 : user.b ? 2 : 3', '(user.a ? 1 : (user.b ? 2 : 3))'],
    ['user.a ? user.b ? 1 : 2 : 3', '(user.a ? (user.b ? 1 : 2) : 3)'],
    ['user.a || user.b ? 1 : 2', '((user.a || user.b) ? 1 : 2)'],
    ['user.a ?: user.b ?: "c"', '(user.a ?: (user.b ?: "c"))'],
    ['user.a == 1 ? "x" : "y" + "z"', '((user.a == 1) ? "x" : ("y" + "z"))'],
    ['user.a AND user.b OR NOT user.c', '((user.a && user.b) || !user.c)'],
    ['user.a and user.b or not user.c', '((user.a && user.b) || !user.c)'],
    ['user.a eq 1 AND user.b NE 2', '((user.a == 1) && (user.b != 2))'],
    ['user.a lt 1 or user.a le 2 or user.a gt 3 or user.a ge 4', '((((user.a < 1) || (user.a <= 2)) || (user.a > 3)) || (user.a >= 4))'],
    ['user.a < user.b + 1', '(user.a < (user.b + 1))'],
    ['user.department matches "Sales.*"', '(user.department matches "Sales.*")'],
    ['((user.a))', 'user.a'],
    ['!!user.a', '!!user.a'],
    ['- -1', '--1'],
    ['{1, {2, 3}, {}}', '{1, {2, 3}, {}}'],
    ['TRUE || False || NULL == null', '((true || false) || (null == null))'],
    ['user.getInternalProperty("id") + user.getInternalProperty(\'status\')', '(user.getInternalProperty("id") + user.getInternalProperty("status"))'],
    ['String.toLowerCase(user.email)', 'String.toLowerCase(user.email)'],
    ['app.profile.allowlist', 'app.profile.allowlist'],
    ['user', 'user'],
    ['  user.a\n\t+\r\n1  ', '(user.a + 1)'],
  ])('%s', (text, printed) => {
    expect(tree(text)).toBe(printed);
  });

  it('prints a tree that parses back to itself', () => {
    for (const text of ['user.a ? "It\'s" : \'say "hi"\'', 'String.join(",", {1, 2.5}, -user.x)', '0.0000001 + 1']) {
      expect(tree(tree(text))).toBe(tree(text));
    }
  });
});

describe('parser: literals, quoting and escapes', () => {
  it.each([
    ["'It''s'", "It's"],
    ['"say ""hi"""', 'say "hi"'],
    ['\'a"b\'', 'a"b'],
    ['"a\'b"', "a'b"],
    // SpEL has no backslash escapes; Okta's examples write "XDOMAIN\" + ….
    ['"XDOMAIN\\"', 'XDOMAIN\\'],
    ['"\\n"', '\\n'],
    ['"tab\there"', 'tab\there'],
    ['""', ''],
    ["''", ''],
    ['"é 😀"', 'é 😀'],
    ['42', 42],
    ['0', 0],
    ['3.141', 3.141],
    ['007', 7],
    ['9007199254740991', Number.MAX_SAFE_INTEGER],
    ['true', true],
    ['FALSE', false],
    ['Null', null],
  ])('%s', (text, value) => {
    expect(run(text)).toEqual(value);
  });
});

describe('parser: errors carry a message and the position of the problem', () => {
  it.each([
    ['', 0, 'empty expression'],
    ['   ', 0, 'empty expression'],
    ['user.', 5, 'expected an attribute name but the expression ended'],
    ['user.firstName +', 16, 'expected a value but the expression ended'],
    ['"abc', 0, 'unterminated string'],
    ["'it''s", 0, 'unterminated string'],
    ['"a\nb"', 2, 'control character in string'],
    ['user.a = 1', 7, 'assignment is not supported'],
    ['user.a & user.b', 7, 'use &&'],
    ['user.a | user.b', 7, 'use ||'],
    ['user.a * 2', 7, 'only + and - are supported'],
    ['1.2.3', 0, 'invalid number'],
    ['12abc', 0, 'invalid number'],
    ['1e3', 0, 'invalid number'],
    ['99999999999999999999', 0, 'number out of range'],
    ['(user.a', 7, 'expected ")" but the expression ended'],
    ['user.a)', 6, 'unexpected ")"'],
    ['user.a ? 1', 10, 'expected ":"'],
    ['user.a ? 1 , 2', 11, 'expected ":" but found ","'],
    ['1 == 1 == 1', 7, 'comparisons do not chain'],
    ['1 < 2 > 0', 6, 'comparisons do not chain'],
    ['{1, 2', 5, 'expected "," or "}"'],
    ['{1 2}', 3, 'expected "," or "}" but found the number 2'],
    ['String.len()', 0, 'String.len(input) takes 1 argument, not 0'],
    ['String.len("a", "b")', 0, 'takes 1 argument, not 2'],
    ['String.substring("abc", 1)', 0, 'String.substring(input, startIndex, endIndex) takes 3 arguments, not 2'],
    ['Arrays.flatten()', 0, 'takes at least 1 argument, not 0'],
    ['String.foo(1)', 0, 'unknown function String.foo'],
    ['String.contains(user.a, "b")', 0, 'did you mean String.stringContains?'],
    ['stringContains(user.a, "b")', 0, 'did you mean String.stringContains?'],
    ['String.toLowercase(user.a)', 0, 'did you mean String.toLowerCase?'],
    ['isMemberOfGroupname("x")', 0, 'did you mean isMemberOfGroupName?'],
    ['String.len', 0, 'String.len is a function: call it as String.len(input)'],
    ['String', 6, 'expected "." but the expression ended'],
    ['String.(1)', 7, 'expected a function name after "String."'],
    ['foo.bar', 0, 'unknown name "foo"'],
    ['zendesk.firstName', 0, 'unknown name "zendesk"'],
    ['User.email', 0, 'did you mean user?'],
    ['firstName + lastName', 0, 'unknown name "firstName"'],
    ['user.email.toLowerCase()', 11, 'method calls are not supported'],
    ['user.email.substring(0, 3)', 11, 'method calls are not supported'],
    ['String.toLowerCase(user.email).length', 30, '"." can only follow'],
    ['"abc".length', 5, '"." can only follow'],
    ['user.getInternalProperty("password")', 25, 'getInternalProperty takes "id" or "status"'],
    ['user.getInternalProperty(id)', 25, 'getInternalProperty takes "id" or "status"'],
    ['appuser.getInternalProperty("id")', 8, 'method calls are not supported'],
    ['user.a.1', 7, 'expected an attribute name after "." but found the number 1'],
    ['String.stringSwitch("a", "default", "key")', 36, 'in pairs'],
    ['Time.now("EST")', 9, 'time zones and formats are not supported'],
    ['Time.now("EST", "YYYY-MM-dd HH:mm:ss", 1)', 9, 'time zones and formats are not supported'],
    ['Groups.startsWith("OKTA", "IT", 0)', 32, 'from 1 through 100'],
    ['Groups.contains("OKTA", "IT", 101)', 30, 'from 1 through 100'],
    ['Groups.endsWith("OKTA", "IT", 1.5)', 30, 'from 1 through 100'],
    ['isMemberOfGroupNameRegex("(a")', 25, 'invalid regular expression (unclosed "(" at offset 0 of the pattern)'],
    ['user.a matches "(?=a)"', 15, 'lookahead and lookbehind are not supported'],
    ['getFilteredGroups(app.profile.allowlist, user.x, 10)', 41, 'must be a string literal'],
    ['getFilteredGroups(app.profile.allowlist, "group.", 10)', 41, 'in the group expression (offset 6): expected an attribute name'],
    ['getFilteredGroups({}, "group.name", 0)', 36, 'from 1 through 100'],
    ['group.name', 0, 'unknown name "group"'],
    ['and user.a', 0, 'expected a value but found the operator "and"'],
    ['user.a and', 10, 'expected a value but the expression ended'],
    [',', 0, 'expected a value but found ","'],
  ])('%j at %i', (text, position, message) => {
    const error = rejection(text);
    expect(error.message).toContain(message);
    expect(error.position).toBe(position);
    expect(error.message).toMatch(new RegExp(` at position ${position}$`));
  });

  it('limits the expression length (4 KiB by default)', () => {
    const text = `"${'x'.repeat(defaultLimits.maxLength - 2)}"`;
    expect(run(text)).toHaveLength(defaultLimits.maxLength - 2);
    const error = rejection(`${text} `);
    expect(error.position).toBe(defaultLimits.maxLength);
    expect(error.message).toContain('longer than 4096 characters');
    expect(rejection('user.firstName', { maxLength: 10 }).position).toBe(10);
  });

  it('limits nesting depth (32 by default)', () => {
    expect(run(`${'('.repeat(31)}1${')'.repeat(31)}`)).toBe(1);
    expect(rejection(`${'('.repeat(40)}1${')'.repeat(40)}`).message).toContain('nesting deeper than 32');
    expect(rejection(`${'!'.repeat(40)}true`).message).toContain('nesting deeper than 32');
    expect(rejection(`${'String.len('.repeat(20)}"a"${')'.repeat(20)}`).message).toContain('nesting deeper than 32');
    expect(rejection('((1))', { maxDepth: 2 }).message).toContain('nesting deeper than 2');
  });
});

describe('attributes: user, appuser, app, org, session', () => {
  it.each([
    ['user.firstName', 'Winston'],
    ['user.login', 'winston.churchill@gmail.com'],
    ['user.salary', 1_500_000],
    ['user.isContractor', false],
    ['user.favoriteColors', ['blue', 'red']],
    ['user.hired', '2001-02-03T04:05:06.000Z'],
    ['user.address.city', 'London'],
    ['user.address.lines', ['10 Downing St']],
    ['user.getInternalProperty("id")', '00u1'],
    ['user.getInternalProperty("status")', 'ACTIVE'],
    ['appuser.username', 'wchurchill'],
    ['app.clientId', 'client-1'],
    ['app.id', '0oa1'],
    ['app.label', 'Portal'],
    ['app.profile.allowlist', ['00g2', '00g4', '00gX']],
    ['org.name', 'Acme'],
    ['org.subdomain', 'acme'],
    ['session.amr', ['pwd', 'mfa']],
  ])('%s', (text, value) => {
    expect(run(text)).toEqual(value);
  });

  it('reads a missing attribute, root or path as null, as Okta does', () => {
    const bare: ExpressionContext = { user: {}, groups: [], now };
    for (const text of ['user.department', 'user.address.zip', 'user.firstName.length', 'user.favoriteColors.first', 'appuser.x', 'app.id', 'org.name', 'session.amr']) {
      expect(run(text, text.startsWith('user.') ? context : bare), text).toBeNull();
    }
    expect(run('user.getInternalProperty("id")', bare)).toBeNull();
    expect(run('appuser == null', bare)).toBe(true);
    expect(run('appuser != null')).toBe(true);
  });

  it('reads data that is not JSON-like as null', () => {
    const odd: ExpressionContext = {
      user: { nan: Number.NaN, inf: Infinity, fn: () => 1, map: new Map([['a', 1]]), big: 10n, sym: Symbol('x'), bad: new Date(Number.NaN), undef: undefined },
      groups: [],
      now,
    };
    for (const name of ['nan', 'inf', 'fn', 'map', 'big', 'sym', 'bad', 'undef']) expect(run(`user.${name}`, odd), name).toBeNull();
  });

  it('refuses an object as the result', () => {
    const error = failure('user.address');
    expect(error.message).toContain('produces an object');
    expect(failure('{user.address}').message).toContain('produces an object');
    expect(failure('user').message).toContain('produces an object');
  });
});

describe('operators', () => {
  it.each([
    ['1 + 2', 3],
    ['0.1 + 0.2', 0.1 + 0.2],
    ['10 - 20', -10],
    ['-user.salary', -1_500_000],
    ['user.firstName + " " + user.lastName', 'Winston Churchill'],
    ['"n=" + 1', 'n=1'],
    ['1 + "a"', '1a'],
    ['"x" + 2.5 + true', 'x2.5true'],
    ['1 + 2 + "a"', '3a'],
    ['"a" + 1 + 2', 'a12'],
    // Okta does not document null in concatenation; we read it as "" (SpEL would write "null").
    ['user.middle + "x"', 'x'],
    ['"x" + user.middle', 'x'],
    ['user.middle + user.other', null],
    ['1 == 1', true],
    ['1 == 1.0', true],
    ['user.groupCode == 123', true],
    ['user.groupCode == "123"', false],
    ['"a" == "a"', true],
    ['"a" == "A"', false],
    ['null == null', true],
    ['user.middle == null', true],
    ['user.firstName != null', true],
    ['{1, "a"} == {1, "a"}', true],
    ['{1} == {1, 2}', false],
    ['true == "true"', false],
    ['2 > 1', true],
    ['"b" > "a"', true],
    ['"B" < "a"', true],
    ['"abc" <= "abd"', true],
    ['false < true', true],
    ['null < 1', true],
    ['null >= null', true],
    ['1 >= 1 && 1 <= 1', true],
    ['true AND false', false],
    ['true OR false', true],
    ['!true', false],
    ['NOT false', true],
    // Short-circuit: the right side is never evaluated, so its null is no error.
    ['false && user.middle', false],
    ['true || user.middle', true],
    ['user.groupCode == 123 ? "Sales" : "Other"', 'Sales'],
    ['user.groupCode == 7 ? "Sales" : "Other"', 'Other'],
    ['user.middle ?: "fallback"', 'fallback'],
    ['user.middleInitial ?: "empty string too"', 'empty string too'],
    ['user.firstName ?: "unused"', 'Winston'],
    ['0 ?: 1', 0],
    ['user.email matches ".*@gmail\\.com"', true],
    ['user.email matches "gmail"', false],
    ['user.middle matches ".*"', false],
  ])('%s', (text, value) => {
    expect(run(text)).toEqual(value);
  });

  it.each([
    ['1 + user.middle', '"+" adds numbers or joins strings, not a number and null', 2],
    ['true + false', 'not a boolean and a boolean', 5],
    ['"a" + {1}', 'not a string and an array', 4],
    ['"a" - 1', '"-" subtracts numbers', 4],
    ['-"a"', '"-" needs a number', 0],
    ['"a" < 1', 'cannot order a string against a number', 4],
    ['{1} < {2}', 'cannot order an array against an array', 4],
    ['user.middle ? 1 : 2', 'expected true or false but got null', 0],
    ['!user.middle', 'expected true or false but got null', 1],
    ['user.firstName && true', 'expected true or false but got a string', 0],
    ['true && 1', 'expected true or false but got a number', 8],
    ['1 matches "1"', '"matches" tests a string', 2],
    ['"a" matches user.middle', '"matches" needs a pattern string', 4],
    ['"a" matches user.firstName + "("', 'invalid regular expression (unclosed "("', 4],
    ['user.huge + user.huge', 'the result is out of the number range', 10],
    ['-user.huge - user.huge', 'the result is out of the number range', 11],
  ])('%s fails at evaluation', (text, message, position) => {
    const error = failure(text, { ...context, user: { ...context.user, huge: Number.MAX_VALUE } });
    expect(error.message).toContain(message);
    expect(error.position).toBe(position);
  });
});

describe('Okta documented examples', () => {
  const alexander: ExpressionContext = { ...context, user: { firstName: 'Alexander', email: 'alex@okta.com', courtesyTitle: '' } };
  it.each([
    // String functions
    ['String.append("This is", " a test")', 'This is a test'],
    ['String.join(",", "This", "is", "a", "test")', 'This,is,a,test'],
    ['String.join("", "This", "is", "a", "test")', 'Thisisatest'],
    ['String.len("This")', 4],
    ['String.removeSpaces("This is a test")', 'Thisisatest'],
    ['String.replace("This is a test", "is", "at")', 'That at a test'],
    ['String.replaceFirst("This is a test", "is", "at")', 'That is a test'],
    ['String.stringContains("This is a test", "test")', true],
    ['String.stringContains("This is a test", "doesn\'tExist")', false],
    ['String.stringSwitch("This is a test", "default", "key1", "value1")', 'default'],
    ['String.stringSwitch("This is a test", "default", "test", "value1")', 'value1'],
    ['String.stringSwitch("First match wins", "default", "absent", "value1", "wins", "value2", "match", "value3")', 'value2'],
    ['String.stringSwitch("Substrings count", "default", "ring", "value1")', 'value1'],
    ['String.substring("This is a test", 2, 9)', 'is is a'],
    ['String.substringAfter("abc@okta.com", "@")', 'okta.com'],
    ['String.substringBefore("abc@okta.com", "@")', 'abc'],
    ['String.toUpperCase("This")', 'THIS'],
    ['String.toLowerCase("ThiS")', 'this'],
    // Array functions
    ['Arrays.add({10, 20, 30}, 40)', [10, 20, 30, 40]],
    ['Arrays.remove({10, 20, 30}, 20)', [10, 30]],
    ['Arrays.clear({10, 20, 30})', []],
    ['Arrays.get({0, 1, 2}, 0)', 0],
    ['Arrays.flatten(10, {20, 30}, 40)', [10, 20, 30, 40]],
    ['Arrays.contains({10, 20, 30}, 10)', true],
    ['Arrays.contains({10, 20, 30}, 50)', false],
    ['Arrays.size({10, 20, 30})', 3],
    ['Arrays.size(NULL)', 0],
    ['Arrays.isEmpty({10, 20})', false],
    ['Arrays.isEmpty(NULL)', true],
    ['Arrays.toCsvString({"This", "is", " a ", "test"})', 'This,is, a ,test'],
    // Conversion functions
    ["Convert.toInt('1234')", 1234],
    ['Convert.toInt(123.4)', 123],
    ['Convert.toInt(123.6)', 124],
    ["Convert.toNum('3.141')", 3.141],
    // Time
    ['Time.now()', '2015-07-31T17:18:37.979Z'],
    // Constants and operators
    ["'Hello world'", 'Hello world'],
    ['1234', 1234],
    ['3.141', 3.141],
    ['true', true],
    ['user.firstName + user.lastName', 'WinstonChurchill'],
    ['user.firstName + " " + user.lastName', 'Winston Churchill'],
    // Group rule samples
    ['String.stringContains(user.firstName, "dummy")', false],
    ['user.city == "San Francisco"', true],
    ['user.salary >= 1000000', true],
    ['!user.isContractor', true],
    ['user.salary > 1000000 AND !user.isContractor', true],
    // Popular expressions (Winston Churchill)
    ['user.firstName', 'Winston'],
    ['user.firstName + "." + user.lastName', 'Winston.Churchill'],
    ['substring(user.firstName, 0, 1) + user.lastName', 'WChurchill'],
    ['substring(user.firstName, 0, 1) + substring(user.lastName, 0, 6)', 'WChurch'],
    ['toLowerCase(substring( user.firstName, 0, 1)) + "." + toLowerCase(user.lastName)', 'w.churchill'],
    ['toUpperCase(substringBefore( substringAfter(user.email, "@"), ".")) + "\\" + substringBefore( user.email, "@")', 'GMAIL\\winston.churchill'],
    ['toUpperCase(substringBefore( substringAfter(user.email, "@"), ".")) + "\\" + toLowerCase(substring( user.firstName, 0, 1)) + toLowerCase(user.lastName)', 'GMAIL\\wchurchill'],
    ['"XDOMAIN\\" + toLowerCase(substring( user.firstName, 0, 1)) + toLowerCase(user.lastName)', 'XDOMAIN\\wchurchill'],
    // Profile mapping sample, with the user's attributes
    ['user.firstName + " " + (String.len(user.middleInitial) == 0 ? "" : (String.substring(user.middleInitial, 0, 1) + ". ")) + user.lastName', 'Winston Churchill'],
    // Smart card sample: the last 20 characters
    ['String.substring(user.email, String.len(user.email)-20, String.len(user.email))', '.churchill@gmail.com'],
    // SAML / dynamic allowlist guides
    ['Groups.startsWith("OKTA", "IT", 10)', ['IT', 'IT-admins']],
    ['getFilteredGroups(app.profile.allowlist, "group.name", 40)', ['IT', 'San Francisco']],
    ['isMemberOfGroupNameRegex("/.*admin.*")', true],
  ])('%s', (text, value) => {
    expect(run(text)).toEqual(value);
  });

  it.each([
    ['toUpperCase(user.firstName)', 'ALEXANDER'],
    ['toLowerCase(user.firstName)', 'alexander'],
    ["substringBefore(user.email, '@')", 'alex'],
    ["substringAfter(user.email, '@')", 'okta.com'],
    ['substring(user.firstName, 1, 4)', 'lex'],
    ['(user.courtesyTitle != "" ? (user.courtesyTitle + " ") : "Sir ") + user.firstName', 'Sir Alexander'],
  ])('deprecated form %s', (text, value) => {
    expect(run(text, alexander)).toEqual(value);
  });
});

describe('string functions: edge cases and null', () => {
  it.each([
    // A null subject gives null (Commons StringUtils style); tests give false; len gives 0.
    ['String.toUpperCase(user.x)', null],
    ['String.toLowerCase(null)', null],
    ['String.removeSpaces(null)', null],
    ['String.substring(null, 0, 1)', null],
    ['String.substringBefore(null, "@")', null],
    ['String.substringAfter(null, "@")', null],
    ['String.replace(null, "a", "b")', null],
    ['String.replaceFirst(null, "a", "b")', null],
    ['String.len(null)', 0],
    ['String.len(user.x)', 0],
    ['String.stringContains(null, "a")', false],
    ['String.stringContains("a", null)', false],
    ['String.startsWith(null, "a")', false],
    ['String.stringSwitch(null, "d", "a", "b")', 'd'],
    ['String.append(null, "b")', 'b'],
    ['String.append("a", null)', 'a'],
    ['String.append(null, null)', null],
    ['String.join(null, "a", "b")', 'ab'],
    ['String.join(",", "a", null, "b")', 'a,b'],
    ['String.join(",")', ''],
    // An array argument contributes its elements, as Java varargs would.
    ['String.join("|", user.favoriteColors)', 'blue|red'],
    ['String.join("-", {1, true}, "x")', '1-true-x'],
    // Numbers and booleans convert to text where a String is expected.
    ['String.len(user.employeeNumber)', 2],
    ['String.toUpperCase(true)', 'TRUE'],
    ['String.substringBefore(12345, 3)', '12'],
    // substringBefore/After follow Commons: not found -> whole / empty; empty separator -> empty / whole.
    ['String.substringBefore("abc", "z")', 'abc'],
    ['String.substringAfter("abc", "z")', ''],
    ['String.substringBefore("abc", "")', ''],
    ['String.substringAfter("abc", "")', 'abc'],
    ['String.substringBefore("a@b@c", "@")', 'a'],
    ['String.substringAfter("a@b@c", "@")', 'b@c'],
    ['String.substringBefore("abc", null)', 'abc'],
    ['String.substringAfter("abc", null)', ''],
    // substring clamps instead of throwing like Java's.
    ['String.substring("abc", 0, 10)', 'abc'],
    ['String.substring("abc", -5, 2)', 'ab'],
    ['String.substring("abc", 2, 1)', ''],
    ['String.substring("abc", 5, 9)', ''],
    ['String.substring("", 0, 0)', ''],
    // replace is literal and replaces every occurrence; replaceFirst only the first.
    ['String.replace("a.b.c", ".", "")', 'abc'],
    ['String.replace("aaa", "a", "aa")', 'aaaaaa'],
    ['String.replace("abc", "", "x")', 'abc'],
    ['String.replace("abc", "b", null)', 'abc'],
    ['String.replace("a+b", "+", "$&")', 'a$&b'],
    ['String.replaceFirst("aaa", "a", "b")', 'baa'],
    ['String.replaceFirst("abc", "z", "b")', 'abc'],
    ['String.removeSpaces(" a\tb  c d ")', 'abcd'],
    ['String.stringContains("abc", "")', true],
    ['String.stringContains("Abc", "a")', false],
    ['String.startsWith("andy.smith", "andy")', true],
    ['String.startsWith("Andy", "andy")', false],
    ['String.stringSwitch("abc", "d")', 'd'],
    ['String.stringSwitch("abc", "d", "", "empty key matches")', 'empty key matches'],
    ['String.len("😀")', 2],
    ['String.toUpperCase("straße")', 'STRASSE'],
  ])('%s', (text, value) => {
    expect(run(text)).toEqual(value);
  });

  it.each([
    ['String.len({1})', 'String.len expects a string as its first argument, not an array'],
    ['String.substring("abc", "1", 2)', 'String.substring expects a whole number as its second argument, not a string'],
    ['String.substring("abc", 0.5, 2)', 'expects a whole number as its second argument'],
    ['String.substring("abc", 0, null)', 'expects a whole number as its third argument, not null'],
    ['String.join(",", {{1}})', 'String.join joins strings, not an array'],
    ['String.toLowerCase(user.address)', 'not an object'],
  ])('%s fails', (text, message) => {
    expect(failure(text).message).toContain(message);
  });
});

describe('array and conversion functions: edge cases and null', () => {
  it.each([
    ['Arrays.add(null, 1)', [1]],
    ['Arrays.add({}, {1})', [[1]]],
    ['Arrays.add(user.favoriteColors, "green")', ['blue', 'red', 'green']],
    ['Arrays.remove({1, 2, 1}, 1)', [2, 1]],
    ['Arrays.remove({1, 2}, 3)', [1, 2]],
    ['Arrays.remove(null, 1)', null],
    ['Arrays.remove({{1}, 2}, {1})', [2]],
    ['Arrays.clear(null)', []],
    ['Arrays.get({"a", "b"}, 1)', 'b'],
    ['Arrays.get({"a"}, 5)', null],
    ['Arrays.get({"a"}, -1)', null],
    ['Arrays.get(null, 0)', null],
    ['Arrays.flatten({1, {2, {3, {4}}}}, null, {}, 5)', [1, 2, 3, 4, 5]],
    ['Arrays.flatten(null)', []],
    ['Arrays.flatten("a")', ['a']],
    ['Arrays.contains(null, 1)', false],
    ['Arrays.contains({1, 2}, "1")', false],
    ['Arrays.contains(user.favoriteColors, "blue")', true],
    ['Arrays.contains({null}, null)', true],
    ['Arrays.size({})', 0],
    ['Arrays.size(session.amr)', 2],
    ['Arrays.isEmpty({})', true],
    ['Arrays.isEmpty("")', true],
    ['Arrays.isEmpty("a")', false],
    ['Arrays.isEmpty(Arrays.toCsvString(Groups.startsWith("active_directory", "zzz", 100)))', true],
    ['Arrays.toCsvString({})', ''],
    ['Arrays.toCsvString(null)', null],
    ['Arrays.toCsvString({1, true, null, "x"})', '1,true,,x'],
    ['Convert.toInt(null)', null],
    ['Convert.toInt(-123.5)', -123],
    ['Convert.toInt(123.5)', 124],
    ['Convert.toInt("-42")', -42],
    ['Convert.toInt("+7")', 7],
    ['Convert.toInt(2147483647)', 2147483647],
    ['Convert.toNum(null)', null],
    ['Convert.toNum(12)', 12],
    ['Convert.toNum(" -1.5e3 ")', -1500],
    ['Convert.toNum(".5")', 0.5],
    ['Convert.toInt("2018") == 2018', true],
  ])('%s', (text, value) => {
    expect(run(text)).toEqual(value);
  });

  it.each([
    ['Arrays.size("abc")', 'Arrays.size expects an array as its first argument, not a string'],
    ['Arrays.get({1}, "0")', 'Arrays.get expects a whole number as its second argument'],
    ['Arrays.toCsvString({{1}})', 'Arrays.toCsvString joins strings, numbers and booleans, not an array'],
    ['Arrays.add({}, user.address)', 'Arrays.add cannot take an object as its second argument'],
    ['Convert.toInt("12.5")', 'Convert.toInt cannot convert "12.5" to an integer'],
    ['Convert.toInt("abc")', 'cannot convert "abc" to an integer'],
    ['Convert.toInt(true)', 'cannot convert a boolean to an integer'],
    ['Convert.toInt(2147483648)', 'outside the integer range'],
    ['Convert.toInt("-2147483649")', 'outside the integer range'],
    ['Convert.toNum("NaN")', 'Convert.toNum cannot convert "NaN" to a number'],
    ['Convert.toNum("1e999")', 'cannot convert "1e999" to a number'],
    ['Convert.toNum({})', 'cannot convert an array to a number'],
  ])('%s fails', (text, message) => {
    expect(failure(text).message).toContain(message);
  });

  it('never changes the array it was given', () => {
    const colors = ['blue', 'red'];
    const ctx: ExpressionContext = { ...context, user: { colors } };
    run('Arrays.add(user.colors, "x")', ctx);
    run('Arrays.remove(user.colors, "blue")', ctx);
    run('Arrays.clear(user.colors)', ctx);
    expect(colors).toEqual(['blue', 'red']);
  });
});

describe('group functions', () => {
  it.each([
    ['isMemberOfGroupName("IT")', true],
    ['isMemberOfGroupName("it")', false],
    ['isMemberOfGroupName("Sales")', false],
    ['isMemberOfGroupName(null)', false],
    ['isMemberOfGroup("00g3")', true],
    ['isMemberOfGroup("00g9")', false],
    ['isMemberOfAnyGroup("00g8", "00g9", "00g4")', true],
    ['isMemberOfAnyGroup("00g8", "00g9")', false],
    ['isMemberOfGroupNameStartsWith("San Fr")', true],
    ['isMemberOfGroupNameStartsWith("san")', false],
    ['isMemberOfGroupNameContains("admin")', true],
    ['isMemberOfGroupNameContains("Admin")', false],
    ['isMemberOfGroupNameRegex("/.*admin.*")', true],
    ['isMemberOfGroupNameRegex("/.*admin.*/")', true],
    ['isMemberOfGroupNameRegex(".*admin.*")', true],
    // Whole-name match: "admin" alone is no group's whole name.
    ['isMemberOfGroupNameRegex("admin")', false],
    ['isMemberOfGroupNameRegex("(?i)it")', true],
    ['isMemberOfGroupNameRegex("IT-[a-z]+")', true],
    ['isMemberOfGroupNameRegex(user.x)', false],
    ['isMemberOfGroupNameRegex("/" + "IT" + "/")', true],
    ['Groups.startsWith("OKTA", "IT", 10)', ['IT', 'IT-admins']],
    ['Groups.startsWith("OKTA", "IT", 1)', ['IT']],
    ['Groups.startsWith("OKTA", "", 100)', ['Everyone', 'IT', 'IT-admins', 'San Francisco']],
    ['Groups.contains("OKTA", "a", 10)', ['IT-admins', 'San Francisco']],
    ['Groups.endsWith("OKTA", "admins", 10)', ['IT-admins']],
    ['Groups.startsWith("active_directory", "ad-", 10)', ['ad-Engineering', 'ad-IT']],
    ['Groups.endsWith("0oaAD", "IT", 10)', ['ad-IT']],
    ['Groups.startsWith("google", "", 10)', []],
    ['Groups.startsWith("OKTA", "IT", app.profile.maxLimit)', ['IT', 'IT-admins']],
    ['Arrays.flatten(Groups.startsWith("OKTA", "IT", 100), Groups.startsWith("active_directory", "ad-", 100))', ['IT', 'IT-admins', 'ad-Engineering', 'ad-IT']],
    ['getFilteredGroups({"00g3", "00g1"}, "group.name", 40)', ['Everyone', 'IT-admins']],
    ['getFilteredGroups(app.profile.allowlist, "group.id", 2)', ['00g2', '00g4']],
    ["getFilteredGroups(app.profile.allowlist, \"group.type == 'OKTA_GROUP' ? 'Okta: ' + group.name : group.name\", 5)", ['Okta: IT', 'Okta: San Francisco']],
    ['getFilteredGroups(null, "group.name", 5)', []],
    ['getFilteredGroups({"00g2"}, "group.missing", 5)', [null]],
    ['getFilteredGroups({"00g2"}, "user.firstName + \'/\' + group.name", 5)', ['Winston/IT']],
  ])('%s', (text, value) => {
    expect(run(text)).toEqual(value);
  });

  it.each([
    ['Groups.startsWith("OKTA", "IT", Arrays.size({}))', 'the group limit must be from 1 through 100, not 0'],
    ['Groups.startsWith(null, "IT", 5)', 'needs an app and a pattern'],
    ['getFilteredGroups(app.profile.allowlist, "group.name", 1)', 'the user is in 2 allowed groups, more than the limit of 1'],
    ['getFilteredGroups({"00g2"}, "group", 5)', 'produces an object'],
    ['isMemberOfGroupNameRegex("(" + "a")', 'invalid regular expression'],
  ])('%s fails', (text, message) => {
    expect(failure(text).message).toContain(message);
  });

  it('sees no groups when the user has none', () => {
    const none: ExpressionContext = { ...context, groups: [] };
    expect(run('isMemberOfGroupNameRegex(".*")', none)).toBe(false);
    expect(run('Groups.contains("OKTA", "", 100)', none)).toEqual([]);
  });
});

describe('filterGroups: groups claims and SAML group attribute statements', () => {
  it.each([
    ['STARTS_WITH', 'IT', ['IT', 'IT-admins']],
    ['STARTS_WITH', '', ['Everyone', 'IT', 'IT-admins', 'San Francisco', 'ad-Engineering', 'ad-IT']],
    ['EQUALS', 'IT', ['IT']],
    ['EQUALS', 'it', []],
    ['CONTAINS', 'IT', ['IT', 'IT-admins', 'ad-IT']],
    ['CONTAINS', 'admin', ['IT-admins']],
    ['REGEX', '.*', ['Everyone', 'IT', 'IT-admins', 'San Francisco', 'ad-Engineering', 'ad-IT']],
    ['REGEX', 'IT', ['IT']],
    ['REGEX', '.*IT', ['IT', 'ad-IT']],
    ['REGEX', 'IT.*|.*Eng.*', ['IT', 'IT-admins', 'ad-Engineering']],
    ['REGEX', '(?i)it', ['IT']],
    ['REGEX', '^IT$', ['IT']],
  ] as const)('%s %j', (type, value, names) => {
    expect(filterGroups(groups, type, value)).toEqual(names);
  });

  it('keeps the order given and stops at the limit', () => {
    expect(filterGroups(groups, 'REGEX', '.*', 2)).toEqual(['Everyone', 'IT']);
    expect(filterGroups(groups, 'CONTAINS', 'IT', 1)).toEqual(['IT']);
    expect(filterGroups(groups, 'CONTAINS', 'IT', 0)).toEqual([]);
  });

  it('rejects an invalid or unsafe pattern with ExpressionSyntaxError and its offset', () => {
    expect(() => filterGroups(groups, 'REGEX', '(a')).toThrow(ExpressionSyntaxError);
    let error: unknown;
    try { filterGroups(groups, 'REGEX', 'ab(?<=x)'); } catch (caught) { error = caught; }
    expect(error).toBeInstanceOf(ExpressionSyntaxError);
    expect((error as ExpressionSyntaxError).position).toBe(2);
    expect((error as ExpressionSyntaxError).message).toContain('lookahead and lookbehind are not supported');
  });

  it('skips a name longer than the matcher bound instead of failing', () => {
    const long: ExpressionGroup[] = [{ id: '1', name: 'a'.repeat(5000) }, { id: '2', name: 'a' }];
    expect(filterGroups(long, 'REGEX', 'a*')).toEqual(['a']);
    expect(filterGroups(long, 'STARTS_WITH', 'a')).toHaveLength(2);
  });
});

describe('regular expressions: the safety rule', () => {
  // The rule: patterns run on a linear-time automaton (no backtracking), so cost is bounded by
  // instructions × subject length whatever the pattern; backreferences and lookaround, which need
  // backtracking, are refused.
  const subject = `${'a'.repeat(4095)}!`;
  it.each([
    ['(a+)+', true], ['(a*)*', true], ['(a|a)*', true], ['(a|aa)+', true], ['a*a*a*a*a*a*a*a*a*a*b', false], ['(.*a){20}', true],
    ['(?:a?){100}a{100}', false], ['((a*)*)*b', false], ['(.*)*(.*)*x', false],
  ])('%s on 4,096 characters stays fast and gives the right answer', (pattern, matchesAllA) => {
    const started = performance.now();
    expect(compileRegex(pattern).matches(subject)).toBe(false);
    expect(compileRegex(pattern).matches('a'.repeat(4000))).toBe(matchesAllA);
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it('keeps a hostile claim expression fast end to end', () => {
    const ctx: ExpressionContext = { ...context, user: { name: subject }, groups: Array.from({ length: 100 }, (_, i) => ({ id: `g${i}`, name: `${'a'.repeat(250)}${i}` })) };
    const started = performance.now();
    expect(run('user.name matches "(a+)+$" || isMemberOfGroupNameRegex("(a|aa)*(a*)*")', ctx)).toBe(false);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it.each([
    ['(a)\\1', 3, 'unsupported escape \\1'],
    ['(?<n>a)\\k<n>', 7, 'unsupported escape \\k'],
    ['a(?=b)', 1, 'lookahead and lookbehind are not supported'],
    ['a(?!b)', 1, 'lookahead and lookbehind'],
    ['(?<=a)b', 0, 'lookahead and lookbehind'],
    ['(?<!a)b', 0, 'lookahead and lookbehind'],
    ['(?>a)', 0, 'this group construct is not supported'],
    ['a(?i)b', 1, 'only (?i) at the very start'],
    ['a++', 2, 'possessive quantifiers are not supported'],
    ['a**', 2, 'nothing to repeat'],
    ['*a', 0, 'nothing to repeat'],
    ['a|+', 2, 'nothing to repeat'],
    ['\\bword\\b', 0, 'unsupported escape \\b'],
    ['\\p{L}', 0, 'unsupported escape \\p'],
    ['\\Qa\\E', 0, 'unsupported escape \\Q'],
    ['[a-z&&[^b]]', 4, 'nested classes and intersections'],
    ['[[a]]', 1, 'nested classes'],
    ['[]a]', 1, 'empty character class'],
    ['[z-a]', 1, 'range out of order'],
    ['[\\d-z]', 1, 'a range needs single characters'],
    ['[abc', 0, 'unclosed "["'],
    ['(abc', 0, 'unclosed "("'],
    ['abc)', 3, 'unbalanced ")"'],
    ['a{2', 1, '"{" must start a repetition'],
    ['a{,2}', 1, '"{" must start a repetition'],
    ['a{3,2}', 1, 'needs n <= m'],
    ['a{1001}', 1, 'repetition above 1000'],
    ['{2}', 0, 'nothing to repeat'],
    ['^*', 0, 'an anchor cannot be repeated'],
    ['\\x4', 0, '\\x needs 2 hex digits'],
    ['abc\\', 3, 'pattern ends with a backslash'],
    ['(?<1a>x)', 0, 'invalid group name'],
    ['(a{100}){100}', 0, 'pattern too large'],
    ['x'.repeat(513), 512, 'pattern longer than 512 characters'],
  ])('refuses %j at offset %i', (pattern, position, message) => {
    let error: unknown;
    try { compileRegex(pattern); } catch (caught) { error = caught; }
    expect(error).toBeInstanceOf(RegexSyntaxError);
    expect((error as RegexSyntaxError).message).toContain(message);
    expect((error as RegexSyntaxError).position).toBe(position);
  });

  it.each([
    ['a.c', 'abc', true], ['a.c', 'a\nc', false], ['a.c', 'a\u0085c', false], ['a.c', 'a😀c', true],
    ['\\d+', '123', true], ['\\d+', '١٢٣', false], ['\\w+', 'abc_9', true], ['\\w', 'é', false],
    ['\\s', ' ', true], ['\\s', '\u00a0', false], ['\\S+', 'ab', true], ['\\D\\W', 'a-', true],
    ['[^a-c]+', 'xyz', true], ['[^a-c]', 'b', false], ['[a\\-z]+', 'a-z', true], ['[-a]+', '-a', true], ['[a-]+', 'a-', true],
    ['[\\]]', ']', true], ['a]}', 'a]}', true], ['\\.', '.', true], ['\\.', 'x', false], ['\\u00e9', 'é', true], ['\\x41', 'A', true],
    ['\\t\\n', '\t\n', true], ['(?i)abc', 'AbC', true], ['(?i)[a-c]+', 'ABC', true], ['(?i)[^a]', 'A', false], ['(?i)é', 'É', false],
    ['a{2,3}', 'aaa', true], ['a{2,3}', 'aaaa', false], ['a{2,}', 'aaaaa', true], ['a{2}', 'a', false], ['a{0}', '', true],
    ['a??b', 'ab', true], ['a*?', 'aaa', true], ['(?<first>a)(?:b)', 'ab', true], ['a|', '', true], ['', '', true], ['', 'a', false],
    ['^a$', 'a', true], ['a^', 'a', false], ['$a', 'a', false], ['x*$', 'xx', true],
  ])('%j on %j', (pattern, input, expected) => {
    expect(compileRegex(pattern).matches(input)).toBe(expected);
  });

  it('agrees with a backtracking engine on 2,000 seeded random patterns and inputs', () => {
    const rand = prng(0x5eed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
    const atom = (depth: number): string => {
      const r = rand();
      if (depth < 3 && r < 0.25) return `(${pattern(depth + 1)})`;
      if (depth < 3 && r < 0.3) return `(?:${pattern(depth + 1)})`;
      return pick(['a', 'b', '.', '[ab]', '[^a]', '\\d', '[0-2]', '-', '\\-']);
    };
    const piece = (depth: number) => atom(depth) + pick(['', '', '', '*', '+', '?', '{2}', '{1,3}', '{0,}', '*?']);
    const sequence = (depth: number) => Array.from({ length: 1 + Math.floor(rand() * 4) }, () => piece(depth)).join('');
    const pattern = (depth: number): string => Array.from({ length: 1 + Math.floor(rand() * 2) }, () => sequence(depth)).join('|');
    let matched = 0;
    for (let i = 0; i < 2000; i++) {
      const source = pattern(0);
      if (source.length > 200) { i--; continue; }
      const reference = new RegExp(`^(?:${source})$`, 's');
      const regex = compileRegex(source);
      for (let j = 0; j < 5; j++) {
        const input = Array.from({ length: Math.floor(rand() * 8) }, () => pick(['a', 'b', '1', '-', 'x'])).join('');
        const expected = reference.test(input);
        expect(regex.matches(input), `${source} on ${JSON.stringify(input)}`).toBe(expected);
        if (expected) matched++;
      }
    }
    expect(matched).toBeGreaterThan(500);
  });

  it('refuses a subject past the bound in `matches`', () => {
    const ctx: ExpressionContext = { ...context, user: { name: 'a'.repeat(5000) } };
    expect(failure('user.name matches "a*"', ctx).message).toContain('subject longer than 4096 characters');
  });
});

describe('limits on what evaluation builds', () => {
  const big = 'x'.repeat(40_000);
  const ctx: ExpressionContext = { ...context, user: { big, many: Array.from({ length: 1000 }, (_, i) => i) } };
  it.each([
    ['user.big + user.big', '"+" would produce a string longer than 65536 characters'],
    ['String.append(user.big, user.big)', 'String.append would produce a string longer than 65536'],
    ['String.join("", user.big, user.big)', 'String.join would produce a string longer'],
    ['String.replace(user.big, "x", "xx")', 'String.replace would produce a string longer'],
    ['String.replaceFirst(user.big + "y", "y", user.big)', 'String.replaceFirst would produce a string longer'],
    ['Arrays.toCsvString({user.big, user.big})', 'Arrays.toCsvString would produce a string longer'],
    ['Arrays.add(user.many, 1)', 'Arrays.add would produce an array of more than 1000 elements'],
    ['Arrays.flatten(user.many, 1)', 'Arrays.flatten would produce an array of more than 1000 elements'],
  ])('%s', (text, message) => {
    expect(failure(text, ctx).message).toContain(message);
  });

  it('honours custom limits', () => {
    expect(failure('"abc" + "def"', context, { maxStringLength: 5 }).message).toContain('longer than 5 characters');
    expect(failure('{1, 2, 3}', context, { maxArrayLength: 2 }).message).toContain('more than 2 elements');
    expect(failure('String.toUpperCase(user.firstName)', context, { maxStringLength: 3 }).message).toContain('longer than 3 characters');
    expect(failure('user.firstName', context, { maxStringLength: 3 }).message).toContain('result is longer than 3');
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

describe('property: any input parses or throws ExpressionSyntaxError, and runs or throws ExpressionEvaluationError', () => {
  const rand = prng(0xe1a5);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const fragments = [
    'user', 'appuser', 'app', 'org', 'session', 'group', '.', 'firstName', 'email', 'salary', 'isContractor', 'favoriteColors',
    'profile', 'allowlist', 'getInternalProperty', '("id")', 'constructor', '__proto__',
    ...[...functions.keys()].slice(0, 60), 'String', 'Arrays', '(', ')', '{', '}', ',', '?', ':', '?:',
    '==', '!=', '<', '<=', '>', '>=', '&&', '||', '!', '+', '-', 'AND', 'or', 'not', 'eq', 'matches', '=', '[', ']', '#', '@',
    '"a"', "'b'", '"x""y"', '"', "'", '"\\"', '"(a+)+"', '".*"', '"/.*T.*/"', '0', '1', '42', '3.5', '100', '1e3', 'true', 'NULL', 'T',
    ' ', ' ', '\t', '\n', 'é', '😀', '\u0000',
  ];
  const valid = [
    'user.firstName + " " + user.lastName', 'String.toLowerCase(String.substringBefore(user.email, "@"))',
    'user.salary > 1000000 AND !user.isContractor ? "a" : "b"', 'Arrays.contains(user.favoriteColors, "blue")',
    'Groups.startsWith("OKTA", "IT", 10)', 'isMemberOfGroupNameRegex("/.*admin.*")', 'user.x ?: {1, 2}',
    'getFilteredGroups(app.profile.allowlist, "group.name", 40)', 'String.stringSwitch(user.city, "d", "San", "SF")',
  ];
  const randomChar = () => String.fromCharCode(rand() < 0.7 ? 0x20 + Math.floor(rand() * 0x5f) : Math.floor(rand() * 0x10000));
  const inputs: string[] = [];
  for (let i = 0; i < 600; i++) {
    inputs.push(Array.from({ length: 1 + Math.floor(rand() * 12) }, () => pick(fragments)).join(pick(['', ' '])));
  }
  for (let i = 0; i < 600; i++) {
    let text = pick(valid);
    for (let edits = 1 + Math.floor(rand() * 3); edits > 0; edits--) {
      const at = Math.floor(rand() * (text.length + 1));
      const r = rand();
      const insert = r < 0.5 ? pick(['(', ')', '{', '}', '"', "'", ',', '.', '?', ':', '!', '+', '-', '=', ' ', '1']) : randomChar();
      text = r < 0.33 ? text.slice(0, at) + text.slice(at + 1) : text.slice(0, at) + insert + text.slice(r < 0.66 ? at : at + 1);
    }
    inputs.push(text);
  }
  for (let i = 0; i < 200; i++) inputs.push(Array.from({ length: Math.floor(rand() * 40) }, randomChar).join(''));
  // Well-formed expressions from the grammar, with random spacing and word-operator case.
  const leaves = ['user.firstName', 'user.salary', 'user.isContractor', 'user.middle', 'user.favoriteColors', '"a"', "'b'", '1', '2.5',
    'true', 'NULL', 'app.profile.maxLimit', 'user.getInternalProperty("id")', 'Time.now()', 'session.amr', '"(a|b)*"'];
  const plainFunctions = [...functions].filter(([, spec]) => !spec.prepare);
  const space = () => pick(['', ' ', '  ', '\n']);
  const word = (w: string) => [...w].map((c) => (rand() < 0.5 ? c.toUpperCase() : c)).join('');
  function generate(depth: number): string {
    const r = rand();
    if (depth >= 4 || r < 0.3) return pick(leaves);
    const sub = () => `(${space()}${generate(depth + 1)}${space()})`;
    if (r < 0.55) return `${sub()}${space()}${pick(['+', '-', '==', '!=', '<', '>=', '&&', '||', word('and'), word('or'), word('eq'), word('matches')])} ${sub()}`;
    if (r < 0.62) return `${pick(['!', '-', `${word('not')} `])}${sub()}`;
    if (r < 0.7) return `${sub()} ? ${sub()} : ${sub()}`;
    if (r < 0.75) return `${sub()} ?: ${sub()}`;
    if (r < 0.8) return `{${Array.from({ length: Math.floor(rand() * 3) }, () => generate(depth + 1)).join(`,${space()}`)}}`;
    const [name, spec] = pick(plainFunctions);
    const count = spec.min + Math.floor(rand() * (Math.min(spec.max, spec.min + 2) - spec.min + 1));
    return `${name}(${Array.from({ length: count }, () => generate(depth + 1)).join(`,${space()}`)})`;
  }
  const generated = Array.from({ length: 500 }, () => generate(0));
  inputs.push(...generated);

  it('parses every generated well-formed expression', () => {
    for (const text of generated) expect(() => parseExpression(text), text).not.toThrow();
  });
  inputs.push('('.repeat(3000), '!'.repeat(3000), '-'.repeat(3000), '{'.repeat(2000), 'user.a + '.repeat(450) + '1', '"'.repeat(4096), '1+'.repeat(2000) + '1');

  it(`holds for ${inputs.length} seeded random inputs`, () => {
    let parsed = 0;
    let evaluated = 0;
    for (const text of inputs) {
      let expression;
      try {
        expression = parseExpression(text);
      } catch (error) {
        if (!(error instanceof ExpressionSyntaxError)) throw new Error(`${JSON.stringify(text)} threw ${String(error)}`);
        expect(Number.isInteger(error.position), JSON.stringify(text)).toBe(true);
        expect(error.position, JSON.stringify(text)).toBeGreaterThanOrEqual(0);
        expect(error.position, JSON.stringify(text)).toBeLessThanOrEqual(text.length);
        continue;
      }
      parsed++;
      // The printed tree is a canonical form: it parses back to the same tree.
      const printed = printNode(expression.tree);
      if (printed.length <= 1000) expect(printNode(parseExpression(printed, { maxDepth: 1000 }).tree), JSON.stringify(text)).toBe(printed);
      try {
        const value = evaluate(expression, context);
        expect(isResult(value), JSON.stringify(text)).toBe(true);
        evaluated++;
      } catch (error) {
        if (!(error instanceof ExpressionEvaluationError)) throw new Error(`${JSON.stringify(text)} evaluated with ${String(error)}`);
      }
    }
    // The generator must reach every outcome for the property to mean anything.
    expect(parsed).toBeGreaterThan(500);
    expect(parsed).toBeLessThan(inputs.length);
    expect(evaluated).toBeGreaterThan(100);
    expect(evaluated).toBeLessThan(parsed);
  });
});

function isResult(value: unknown): boolean {
  if (value === null || ['string', 'boolean'].includes(typeof value)) return true;
  if (typeof value === 'number') return Number.isFinite(value);
  return Array.isArray(value) && value.every(isResult);
}

describe('hostile expressions: rejected, or null without touching a prototype', () => {
  it.each([
    'user.constructor', 'user.__proto__', 'user.prototype', 'user.__defineGetter__', 'app.profile.constructor', 'org.__proto__.polluted',
    'user["x"]', "user['constructor']", 'this', '#this', '#root', 'root', 'T(java.lang.Runtime)', 'T(java.lang.Runtime).getRuntime().exec("id")',
    'new java.lang.String("x")', '@bean', 'user?.x', 'user.email.getClass()', '"".class', '{}.constructor', 'String.constructor("x")',
    'String.__proto__', 'constructor("x")', 'Function("return 1")', 'eval("1")', 'require("fs")', 'process.exit()', 'globalThis',
    'user.toString()', 'user.hasOwnProperty("x")', 'user.email = "x"', 'user.a; user.b', '`x`', 'Arrays.get(user, "constructor")',
  ])('%s', (text) => {
    let result: ExpressionValue | undefined;
    try {
      result = run(text);
    } catch (error) {
      expect(error instanceof ExpressionSyntaxError || error instanceof ExpressionEvaluationError, `${text}: ${String(error)}`).toBe(true);
      return;
    }
    expect(result).toBeNull();
  });

  it('reads only own data properties: nothing inherited, no getter runs', () => {
    let getterRan = false;
    const inherited = Object.create({ secret: 'from the prototype' }) as Record<string, unknown>;
    const user: Record<string, unknown> = { plain: 'ok' };
    Object.defineProperty(user, 'computed', { enumerable: true, get: () => { getterRan = true; return 'ran'; } });
    const ctx: ExpressionContext = { user, app: { nested: inherited }, groups: [], now };
    for (const text of ['user.toString', 'user.valueOf', 'user.hasOwnProperty', 'user.computed', 'app.nested.secret', 'user.isPrototypeOf']) {
      expect(run(text, ctx), text).toBeNull();
    }
    expect(run('user.plain', ctx)).toBe('ok');
    expect(getterRan).toBe(false);
  });

  it('reads a JSON "__proto__" key as nothing and pollutes nothing', () => {
    const user = JSON.parse('{"__proto__": {"polluted": "yes"}, "name": "x"}') as Record<string, unknown>;
    expect(rejection('user.__proto__.polluted').message).toContain('"__proto__" is not an attribute that can be read');
    expect(run('user.polluted', { user, groups: [], now })).toBeNull();
    run('Arrays.add({}, "x")');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('resolves function names through a Map, so prototype names are unknown functions', () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
      expect(rejection(`${name}("x")`).message, name).toMatch(/unknown function|is not an attribute|unexpected/);
    }
    const handMade = { source: 'x', limits: defaultLimits, tree: { kind: 'call' as const, name: 'constructor', args: [], pos: 0 } };
    expect(() => evaluate(handMade, context)).toThrow(ExpressionEvaluationError);
  });
});
