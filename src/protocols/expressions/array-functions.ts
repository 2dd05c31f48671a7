/**
 * Okta's `Arrays.*`, `Convert.*` and `Time.now`. Arrays are SpEL inline lists (`{10, 20}`) or
 * array attributes; every function returns a new array and never changes its argument.
 * A `null` array reads as empty where Okta documents it (`Arrays.size(NULL)` is 0,
 * `Arrays.isEmpty(NULL)` is true) and passes through as `null` elsewhere.
 */
import { checkSize, integerArg, listArg, plainArg, type CallEnv, type FunctionSpec } from './call-kit.ts';
import { scalarText, typeName, valuesEqual, type Value } from './values.ts';

function flattenInto(value: Value, out: Value[], env: CallEnv): void {
  if (value === null) return;
  if (!Array.isArray(value)) {
    checkSize(env, out.length + 1);
    out.push(value);
    return;
  }
  for (const item of value as readonly Value[]) flattenInto(item, out, env);
}

function toCsv(args: readonly Value[], env: CallEnv): Value {
  const list = listArg(env, args, 0);
  if (list === null) return null;
  const parts = list.map((item) => {
    const text = scalarText(item);
    if (text === undefined) env.fail(`${env.name} joins strings, numbers and booleans, not ${typeName(item)}`);
    return text;
  });
  const joined = parts.join(',');
  if (joined.length > env.limits.maxStringLength) env.fail(`${env.name} would produce a string longer than ${env.limits.maxStringLength} characters`);
  return joined;
}

// Java's Math.round: halves go up, 123.5 -> 124 and -123.5 -> -123; the result must fit an int.
function toInt(args: readonly Value[], env: CallEnv): Value {
  const value = args[0] ?? null;
  if (value === null) return null;
  let result: number;
  if (typeof value === 'number') result = Math.floor(value + 0.5);
  else if (typeof value === 'string' && /^[+-]?[0-9]+$/.test(value)) result = Number(value);
  else env.fail(`${env.name} cannot convert ${typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeName(value)} to an integer`);
  if (result < -(2 ** 31) || result > 2 ** 31 - 1) env.fail(`${env.name}: ${result} is outside the integer range`);
  return result;
}

function toNum(args: readonly Value[], env: CallEnv): Value {
  const value = args[0] ?? null;
  if (value === null || typeof value === 'number') return value;
  if (typeof value === 'string' && /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(value.trim())) {
    const result = Number(value.trim());
    if (Number.isFinite(result)) return result;
  }
  env.fail(`${env.name} cannot convert ${typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeName(value)} to a number`);
}

export const arrayFunctions: ReadonlyMap<string, FunctionSpec> = new Map<string, FunctionSpec>([
  ['Arrays.add', {
    params: '(array, value)', min: 2, max: 2,
    call: (args, env) => {
      const list = listArg(env, args, 0) ?? [];
      checkSize(env, list.length + 1);
      return [...list, plainArg(env, args, 1)];
    },
  }],
  ['Arrays.remove', {
    params: '(array, value)', min: 2, max: 2,
    // Removes the first element equal to the value, as Commons' ArrayUtils.removeElement.
    call: (args, env) => {
      const list = listArg(env, args, 0);
      if (list === null) return null;
      const value = plainArg(env, args, 1);
      const at = list.findIndex((item) => valuesEqual(item, value));
      return at < 0 ? [...list] : [...list.slice(0, at), ...list.slice(at + 1)];
    },
  }],
  ['Arrays.clear', { params: '(array)', min: 1, max: 1, call: (args, env) => (listArg(env, args, 0), []) }],
  ['Arrays.get', {
    params: '(array, position)', min: 2, max: 2,
    // Past the end reads as null (a missing value), not an error.
    call: (args, env) => {
      const list = listArg(env, args, 0);
      const position = integerArg(env, args, 1);
      return list?.[position] ?? null;
    },
  }],
  ['Arrays.flatten', {
    params: '(...values)', min: 1, max: Infinity,
    call: (args, env) => {
      const out: Value[] = [];
      for (const arg of args) flattenInto(arg, out, env);
      return out;
    },
  }],
  ['Arrays.contains', {
    params: '(array, value)', min: 2, max: 2,
    call: (args, env) => {
      const value = plainArg(env, args, 1);
      return (listArg(env, args, 0) ?? []).some((item) => valuesEqual(item, value));
    },
  }],
  ['Arrays.size', { params: '(array)', min: 1, max: 1, call: (args, env) => (listArg(env, args, 0) ?? []).length }],
  ['Arrays.isEmpty', {
    params: '(array)', min: 1, max: 1,
    // Also true for "", which admins pass when they test Arrays.toCsvString(…).
    call: (args, env) => (typeof args[0] === 'string' ? args[0] === '' : (listArg(env, args, 0) ?? []).length === 0),
  }],
  ['Arrays.toCsvString', { params: '(array)', min: 1, max: 1, call: toCsv }],
  ['Convert.toInt', { params: '(value)', min: 1, max: 1, call: toInt }],
  ['Convert.toNum', { params: '(value)', min: 1, max: 1, call: toNum }],
  ['Time.now', {
    params: '()', min: 0, max: Infinity,
    prepare: (args, tools) => {
      if (args.length > 0) tools.fail('Time.now() takes no arguments here: time zones and formats are not supported; the result is UTC', args[0]!.pos);
    },
    call: (_args, env) => env.context.now.toISOString(),
  }],
]);
