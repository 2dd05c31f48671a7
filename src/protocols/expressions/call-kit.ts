/**
 * What a built-in function is made of: its arity, an optional check when the expression is
 * saved, and its body; plus the argument conversions the bodies share. SpEL converts a number
 * or boolean passed where a String is expected, so these do too; arrays and objects never
 * become strings.
 */
import type { Node } from './ast.ts';
import type { ExpressionContext, ExpressionGroup, ExpressionLimits } from './context.ts';
import type { SafeRegex } from './regex.ts';
import { Struct, scalarText, typeName, type Value } from './values.ts';

/** Services a function body may use while the expression runs. */
export interface CallEnv {
  readonly context: ExpressionContext;
  readonly limits: ExpressionLimits;
  /** The function's qualified name, for messages. */
  readonly name: string;
  /** Throws an evaluation error at the call. */
  fail(message: string): never;
  /** A pattern compiled once: the one checked at save time if it was a literal. */
  regex(source: string): SafeRegex;
  /** `getFilteredGroups`: the group expression's value for one group. */
  groupValue(group: ExpressionGroup): Value;
}

/** Checks a function may run when the expression is saved. */
export interface PrepareTools {
  fail(message: string, position: number): never;
  /** Compiles a string-literal argument as a pattern (after `transform`); `undefined` if it is not a literal. */
  literalPattern(node: Node, transform?: (source: string) => string): SafeRegex | undefined;
  /** Parses a string-literal argument as an expression in which `group` is a root. */
  groupExpression(node: Node): Node;
}

export interface FunctionSpec {
  /** Parameter list for messages and documentation, `...` marking the variadic one. */
  readonly params: string;
  readonly min: number;
  readonly max: number;
  readonly prepare?: (args: readonly Node[], tools: PrepareTools) => { pattern?: SafeRegex; groupExpression?: Node } | void;
  readonly call: (args: readonly Value[], env: CallEnv) => Value;
}

const ordinal = (index: number) => ['first', 'second', 'third', 'fourth'][index] ?? `${index + 1}th`;

/** A String parameter: `null` stays `null`; numbers and booleans become their text. */
export function textArg(env: CallEnv, args: readonly Value[], index: number): string | null {
  const value = args[index] ?? null;
  if (value === null) return null;
  const text = scalarText(value);
  if (text === undefined) env.fail(`${env.name} expects a string as its ${ordinal(index)} argument, not ${typeName(value)}`);
  return text;
}

/** An int parameter: a whole number, never null. */
export function integerArg(env: CallEnv, args: readonly Value[], index: number): number {
  const value = args[index] ?? null;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    env.fail(`${env.name} expects a whole number as its ${ordinal(index)} argument, not ${typeName(value)}`);
  }
  return value;
}

/** An array parameter: `null` stays `null`. */
export function listArg(env: CallEnv, args: readonly Value[], index: number): readonly Value[] | null {
  const value = args[index] ?? null;
  if (value === null) return null;
  if (!Array.isArray(value)) env.fail(`${env.name} expects an array as its ${ordinal(index)} argument, not ${typeName(value)}`);
  return value as readonly Value[];
}

/** Throws when a string would pass the length limit; call before building it. */
export function checkLength(env: CallEnv, length: number): void {
  if (length > env.limits.maxStringLength) env.fail(`${env.name} would produce a string longer than ${env.limits.maxStringLength} characters`);
}

/** Throws when an array would pass the size limit; call before building it. */
export function checkSize(env: CallEnv, size: number): void {
  if (size > env.limits.maxArrayLength) env.fail(`${env.name} would produce an array of more than ${env.limits.maxArrayLength} elements`);
}

/** Rejects objects where a value is expected (an element added to an array, a value compared). */
export function plainArg(env: CallEnv, args: readonly Value[], index: number): Value {
  const value = args[index] ?? null;
  if (value instanceof Struct) env.fail(`${env.name} cannot take an object as its ${ordinal(index)} argument`);
  return value;
}
