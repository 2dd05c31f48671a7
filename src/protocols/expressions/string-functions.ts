/**
 * Okta's `String.*` functions, and the deprecated bare forms (`toLowerCase(x)`, `substring(…)`)
 * that Okta's examples still use. Matching is literal (never a regular expression) and
 * case-sensitive; indexes count UTF-16 code units, as Java's do.
 *
 * Null rule (Apache Commons `StringUtils` style, which Okta does not document): a function whose
 * subject is `null` returns `null`, except `String.len` (0), the tests `stringContains` and
 * `startsWith` (false) and `stringSwitch` (its default).
 */
import { checkLength, integerArg, textArg, type CallEnv, type FunctionSpec } from './call-kit.ts';
import { scalarText, typeName, type Value } from './values.ts';

const unary = (body: (input: string) => string): FunctionSpec => ({
  params: '(input)', min: 1, max: 1,
  call: (args, env) => {
    const input = textArg(env, args, 0);
    return input === null ? null : body(input);
  },
});

function substringBefore(args: readonly Value[], env: CallEnv): Value {
  const input = textArg(env, args, 0);
  const search = textArg(env, args, 1);
  if (input === null) return null;
  if (search === null) return input;
  const at = input.indexOf(search);
  return at < 0 ? input : input.slice(0, at);
}

function substringAfter(args: readonly Value[], env: CallEnv): Value {
  const input = textArg(env, args, 0);
  const search = textArg(env, args, 1);
  if (input === null) return null;
  if (search === null) return '';
  const at = input.indexOf(search);
  return at < 0 ? '' : input.slice(at + search.length);
}

// Java's substring would throw past the end; we clamp into the string instead.
function substring(args: readonly Value[], env: CallEnv): Value {
  const input = textArg(env, args, 0);
  const start = integerArg(env, args, 1);
  const end = integerArg(env, args, 2);
  if (input === null) return null;
  const from = Math.min(Math.max(start, 0), input.length);
  const to = Math.min(Math.max(end, 0), input.length);
  return to <= from ? '' : input.slice(from, to);
}

function replace(first: boolean) {
  return (args: readonly Value[], env: CallEnv): Value => {
    const input = textArg(env, args, 0);
    const match = textArg(env, args, 1);
    const replacement = textArg(env, args, 2);
    if (input === null) return null;
    if (!match || replacement === null) return input;
    if (first) {
      const at = input.indexOf(match);
      if (at < 0) return input;
      checkLength(env, input.length - match.length + replacement.length);
      return input.slice(0, at) + replacement + input.slice(at + match.length);
    }
    const parts = input.split(match);
    checkLength(env, input.length + (parts.length - 1) * (replacement.length - match.length));
    return parts.join(replacement);
  };
}

function append(args: readonly Value[], env: CallEnv): Value {
  const head = textArg(env, args, 0);
  const tail = textArg(env, args, 1);
  if (head === null && tail === null) return null;
  checkLength(env, (head ?? '').length + (tail ?? '').length);
  return (head ?? '') + (tail ?? '');
}

// An array argument contributes its elements, as Java varargs receive a String[]; nulls are skipped.
function join(args: readonly Value[], env: CallEnv): Value {
  const separator = textArg(env, args, 0) ?? '';
  const items: string[] = [];
  for (const arg of args.slice(1)) {
    for (const item of Array.isArray(arg) ? (arg as readonly Value[]) : [arg]) {
      if (item === null) continue;
      const text = scalarText(item);
      if (text === undefined) env.fail(`${env.name} joins strings, not ${typeName(item)}`);
      items.push(text);
    }
  }
  checkLength(env, items.reduce((sum, item) => sum + item.length, 0) + separator.length * Math.max(items.length - 1, 0));
  return items.join(separator);
}

function stringSwitch(args: readonly Value[], env: CallEnv): Value {
  const input = textArg(env, args, 0);
  const fallback = textArg(env, args, 1);
  if (input === null) return fallback;
  for (let i = 2; i + 1 < args.length; i += 2) {
    const key = textArg(env, args, i);
    if (key !== null && input.includes(key)) return textArg(env, args, i + 1);
  }
  return fallback;
}

const test = (body: (input: string, search: string) => boolean): FunctionSpec => ({
  params: '(input, searchString)', min: 2, max: 2,
  call: (args, env) => {
    const input = textArg(env, args, 0);
    const search = textArg(env, args, 1);
    return input !== null && search !== null && body(input, search);
  },
});

const before: FunctionSpec = { params: '(input, searchString)', min: 2, max: 2, call: substringBefore };
const after: FunctionSpec = { params: '(input, searchString)', min: 2, max: 2, call: substringAfter };
const sub: FunctionSpec = { params: '(input, startIndex, endIndex)', min: 3, max: 3, call: substring };
const upper = unary((input) => input.toUpperCase());
const lower = unary((input) => input.toLowerCase());

export const stringFunctions: ReadonlyMap<string, FunctionSpec> = new Map([
  ['String.append', { params: '(str, suffix)', min: 2, max: 2, call: append }],
  ['String.join', { params: '(separator, ...strings)', min: 1, max: Infinity, call: join }],
  ['String.len', {
    params: '(input)', min: 1, max: 1,
    call: (args, env) => (textArg(env, args, 0) ?? '').length,
  }],
  ['String.removeSpaces', unary((input) => input.replace(/\s+/gu, ''))],
  ['String.replace', { params: '(input, match, replacement)', min: 3, max: 3, call: replace(false) }],
  ['String.replaceFirst', { params: '(input, match, replacement)', min: 3, max: 3, call: replace(true) }],
  ['String.stringContains', test((input, search) => input.includes(search))],
  ['String.startsWith', test((input, prefix) => input.startsWith(prefix))],
  ['String.stringSwitch', {
    params: '(input, defaultString, ...keyValuePairs)', min: 2, max: Infinity, call: stringSwitch,
    prepare: (args, tools) => {
      if (args.length % 2 !== 0) tools.fail('String.stringSwitch needs keys and values in pairs after the default', args[args.length - 1]!.pos);
    },
  }],
  ['String.substring', sub],
  ['String.substringAfter', after],
  ['String.substringBefore', before],
  ['String.toUpperCase', upper],
  ['String.toLowerCase', lower],
  // Deprecated by Okta, still in its examples.
  ['toUpperCase', upper],
  ['toLowerCase', lower],
  ['substringBefore', before],
  ['substringAfter', after],
  ['substring', sub],
]);
