/**
 * Values while an expression runs, and the SpEL rules for comparing them.
 *
 * Attribute data comes in as `unknown` (profiles are JSON) and is converted only along the path
 * an expression reads: own data properties of plain objects, never a getter, never anything
 * inherited. A nested object becomes an opaque {@link Struct} that can be read further
 * (`app.profile.allowlist`) or compared with `null`, but cannot be a result.
 */

/** A single value an expression can produce. */
export type ExpressionScalar = string | number | boolean | null;
/** What {@link evaluate} returns: a scalar or an array (SpEL's `{a, b}`) of values. */
export type ExpressionValue = ExpressionScalar | readonly ExpressionValue[];

/** A plain object reached through an attribute path; only its own data properties are readable. */
export class Struct {
  readonly fields: object;
  constructor(fields: object) {
    this.fields = fields;
  }
}

/** A value during evaluation: a result value, or a {@link Struct} on the way to one. */
export type Value = ExpressionScalar | Struct | readonly Value[];

const maxDataDepth = 16;

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Converts attribute data to a {@link Value}; anything that is not JSON-like reads as `null`. */
export function fromData(data: unknown, depth = 0): Value {
  if (data === null || data === undefined) return null;
  switch (typeof data) {
    case 'string': case 'boolean': return data;
    case 'number': return Number.isFinite(data) ? data : null;
    case 'object': {
      if (depth >= maxDataDepth) return null;
      if (Array.isArray(data)) return data.map((item: unknown) => fromData(item, depth + 1));
      if (data instanceof Date) return Number.isNaN(data.getTime()) ? null : data.toISOString();
      return isPlainObject(data) ? new Struct(data) : null;
    }
    default: return null;
  }
}

/**
 * Reads an own data property: `Object.getOwnPropertyDescriptor` so that neither a getter nor the
 * prototype chain (`constructor`, `__proto__`, `toString`) is ever reached.
 */
export function readField(struct: Struct, name: string): Value {
  const descriptor = Object.getOwnPropertyDescriptor(struct.fields, name);
  return descriptor && 'value' in descriptor ? fromData(descriptor.value) : null;
}

/** Names a value's type for error messages. */
export function typeName(value: Value): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Struct) return 'an object';
  return `a ${typeof value}`;
}

/** SpEL `==`: numbers by value, strings exactly, arrays element by element, no conversions between types. */
export function valuesEqual(left: Value, right: Value): boolean {
  if (left === null || right === null) return left === right;
  if (Array.isArray(left) || Array.isArray(right)) {
    if (!Array.isArray(left) || !Array.isArray(right) || left.length !== right.length) return false;
    return left.every((item: Value, i) => valuesEqual(item, right[i] as Value));
  }
  if (left instanceof Struct || right instanceof Struct) {
    return left instanceof Struct && right instanceof Struct && left.fields === right.fields;
  }
  return left === right;
}

/**
 * SpEL's ordering (`StandardTypeComparator`): `null` sorts before everything, then numbers with
 * numbers, strings with strings (UTF-16 order, like Java's `compareTo`), booleans with booleans.
 * Returns `undefined` for values of different types, which the caller reports.
 */
export function compareValues(left: Value, right: Value): number | undefined {
  if (left === null || right === null) return left === right ? 0 : left === null ? -1 : 1;
  if (typeof left === 'number' && typeof right === 'number') return left - right;
  if (typeof left === 'string' && typeof right === 'string') return left < right ? -1 : left > right ? 1 : 0;
  if (typeof left === 'boolean' && typeof right === 'boolean') return Number(left) - Number(right);
  return undefined;
}

/** Text of a scalar for concatenation; `null` reads as the empty string. `undefined` for arrays and objects. */
export function scalarText(value: Value): string | undefined {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** True when the value (at any depth) holds a {@link Struct}, which cannot leave the evaluator. */
export function holdsStruct(value: Value): boolean {
  if (value instanceof Struct) return true;
  return Array.isArray(value) && value.some((item: Value) => holdsStruct(item));
}
