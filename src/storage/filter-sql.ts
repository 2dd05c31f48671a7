/**
 * Compiles a parsed SCIM filter into a parameterised SQL condition. Attribute names map to known
 * columns or validated JSON paths; every value travels as a bind parameter. Nothing of the filter
 * text is ever spliced into SQL.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Filter, FilterValue } from '../protocols/scim/filter.ts';
import type { DialectName } from './dialect.ts';
import { InvalidFilter } from '../services/ports.ts';

/** How one filterable attribute is stored. */
export type FieldSpec =
  /** A column holding a lower-cased key: comparisons are case-insensitive and index-friendly. */
  | { readonly kind: 'key'; readonly column: string }
  /** A plain text column compared exactly (ids, enums). */
  | { readonly kind: 'text'; readonly column: string }
  /** An ISO-8601 timestamp column; values must be dates. */
  | { readonly kind: 'timestamp'; readonly column: string }
  /** One attribute (a dotted path for nested objects) of a JSON document column. */
  | { readonly kind: 'json'; readonly column: string; readonly attribute: string }
  /** A text column of a related table: true when some related row matches. */
  | { readonly kind: 'exists'; readonly table: string; readonly column: string; readonly join: readonly (readonly [string, string])[] }
  /** A relation tested only for equality (`user.id eq "…"`): the owner builds the condition from the bound value. */
  | { readonly kind: 'equals'; readonly condition: (value: string) => RawBuilder<SqlBool> };


export type FieldResolver = (path: string) => FieldSpec | undefined;

type Condition = RawBuilder<SqlBool>;

const jsonAttributePattern = /^[A-Za-z][A-Za-z0-9_]{0,63}(?:\.[A-Za-z][A-Za-z0-9_]{0,63}){0,3}$/;

/** The highest code point: appended to a prefix it bounds the range of strings that start with it. */
const maxChar = '\u{10FFFF}';

export function compileFilter(filter: Filter, resolve: FieldResolver, dialect: DialectName): Condition {
  const compile = (node: Filter): Condition => {
    switch (node.op) {
      case 'and': return sql<SqlBool>`(${compile(node.left)} and ${compile(node.right)})`;
      case 'or': return sql<SqlBool>`(${compile(node.left)} or ${compile(node.right)})`;
      case 'not': return sql<SqlBool>`(not coalesce(${compile(node.filter)}, false))`;
      case 'valuePath': throw new InvalidFilter(`${node.path} does not support value path filters`);
      default: {
        const field = resolve(node.path);
        if (!field) throw new InvalidFilter(`unknown attribute ${node.path}`);
        if (field.kind === 'json' && !jsonAttributePattern.test(field.attribute)) {
          throw new InvalidFilter(`invalid attribute name ${node.path}`);
        }
        if (field.kind === 'equals') {
          if (node.op !== 'eq' || typeof node.value !== 'string') throw new InvalidFilter(`${node.path} supports only eq with a quoted string`);
          return field.condition(node.value);
        }
        if (field.kind === 'exists') {
          const inner: FieldSpec = { kind: 'text', column: `related.${field.column}` };
          const test = node.op === 'pr' ? sql<SqlBool>`(${sql.ref(inner.column)} is not null)`
            : comparison(node.op, node.path, inner, node.value, dialect);
          const joins = field.join.map(([outer, related]) => sql`${sql.ref(outer)} = ${sql.ref(`related.${related}`)}`);
          return sql<SqlBool>`exists (select 1 from ${sql.table(field.table)} as related where ${sql.join(joins, sql` and `)} and ${test})`;
        }
        if (node.op === 'pr') return sql<SqlBool>`(${valueOf(field, dialect)} is not null)`;
        return comparison(node.op, node.path, field, node.value, dialect);
      }
    }
  };
  return compile(filter);
}

function valueOf(field: Exclude<FieldSpec, { kind: 'exists' | 'equals' }>, dialect: DialectName): RawBuilder<unknown> {
  if (field.kind !== 'json') return sql.ref(field.column);
  return dialect === 'postgres'
    ? sql`(cast(${sql.ref(field.column)} as jsonb) #>> ${`{${field.attribute.replaceAll('.', ',')}}`}::text[])`
    : sql`json_extract(${sql.ref(field.column)}, ${`$.${field.attribute}`})`;
}

function comparison(op: Exclude<Filter['op'], 'and' | 'or' | 'not' | 'pr' | 'valuePath'>, path: string,
  field: Exclude<FieldSpec, { kind: 'exists' | 'equals' }>, raw: FilterValue, dialect: DialectName): Condition {
  const target = valueOf(field, dialect);
  if (raw === null) {
    if (op === 'eq') return sql<SqlBool>`(${target} is null)`;
    if (op === 'ne') return sql<SqlBool>`(${target} is not null)`;
    throw new InvalidFilter(`${op} cannot compare ${path} with null`);
  }
  if (typeof raw === 'boolean' || typeof raw === 'number') {
    if (field.kind !== 'json') throw new InvalidFilter(`${path} must be compared with a quoted string`);
    return jsonScalarComparison(op, path, field, raw, dialect);
  }
  let value: string = raw;
  if (field.kind === 'timestamp') {
    const time = Date.parse(value);
    if (Number.isNaN(time) || !/^\d{4}-\d{2}-\d{2}/.test(value)) {
      throw new InvalidFilter(`${path} must be compared with an ISO 8601 date such as "2026-01-31T00:00:00.000Z"`);
    }
    value = new Date(time).toISOString();
    if (!['eq', 'ne', 'gt', 'ge', 'lt', 'le'].includes(op)) throw new InvalidFilter(`${op} is not supported for ${path}`);
  }
  if (field.kind === 'key') value = value.normalize('NFC').toLowerCase();
  const left = field.kind === 'json' ? sql`lower(${target})` : target;
  const right = field.kind === 'json' ? value.toLowerCase() : value;
  switch (op) {
    case 'eq': return sql<SqlBool>`(${left} = ${right})`;
    case 'ne': return sql<SqlBool>`(${left} <> ${right} or ${target} is null)`;
    case 'gt': return sql<SqlBool>`(${left} > ${right})`;
    case 'ge': return sql<SqlBool>`(${left} >= ${right})`;
    case 'lt': return sql<SqlBool>`(${left} < ${right})`;
    case 'le': return sql<SqlBool>`(${left} <= ${right})`;
    case 'sw':
      // A range keeps the index usable; both dialects compare these columns by code point.
      return sql<SqlBool>`(${left} >= ${right} and ${left} < ${right + maxChar})`;
    case 'ew': {
      // Both dialects count characters (code points), not UTF-16 units as `length` does.
      const length = Array.from(right).length;
      // SQLite's substr(x, -0) is all of x: every present value ends with "".
      if (length === 0) return sql<SqlBool>`(${left} is not null)`;
      return dialect === 'postgres'
        ? sql<SqlBool>`(right(${left}, ${length}) = ${right})`
        : sql<SqlBool>`(substr(${left}, ${-length}) = ${right})`;
    }
    case 'co':
      return dialect === 'postgres'
        ? sql<SqlBool>`(strpos(${left}, ${right}) > 0)`
        : sql<SqlBool>`(instr(${left}, ${right}) > 0)`;
  }
}

function jsonScalarComparison(op: string, path: string, field: Extract<FieldSpec, { kind: 'json' }>,
  value: number | boolean, dialect: DialectName): Condition {
  const column = sql.ref(field.column);
  const pgPath = `{${field.attribute.replaceAll('.', ',')}}`;
  if (typeof value === 'boolean') {
    if (op !== 'eq' && op !== 'ne') throw new InvalidFilter(`${op} cannot compare ${path} with a boolean`);
    const test = dialect === 'postgres'
      ? sql<SqlBool>`(jsonb_typeof(cast(${column} as jsonb) #> ${pgPath}::text[]) = 'boolean' and (cast(${column} as jsonb) #>> ${pgPath}::text[]) = ${String(value)})`
      : sql<SqlBool>`(json_type(${column}, ${`$.${field.attribute}`}) = ${value ? 'true' : 'false'})`;
    return op === 'eq' ? test : sql<SqlBool>`(not coalesce(${test}, false))`;
  }
  const operators: Record<string, string> = { eq: '=', ne: '<>', gt: '>', ge: '>=', lt: '<', le: '<=' };
  const operator = operators[op];
  if (!operator) throw new InvalidFilter(`${op} cannot compare ${path} with a number`);
  const number = dialect === 'postgres'
    // CASE fixes the order of evaluation, so the cast never sees a non-number.
    ? sql`(case when jsonb_typeof(cast(${column} as jsonb) #> ${pgPath}::text[]) = 'number' then cast(cast(${column} as jsonb) #>> ${pgPath}::text[] as double precision) end)`
    : sql`(case when json_type(${column}, ${`$.${field.attribute}`}) in ('integer', 'real') then json_extract(${column}, ${`$.${field.attribute}`}) end)`;
  return sql<SqlBool>`(${number} ${sql.raw(operator)} ${value})`;
}

/** The value to order by for an attribute, as text; absent values sort as the empty string. */
export function sortValue(path: string, resolve: FieldResolver, dialect: DialectName): RawBuilder<string> {
  const field = resolve(path);
  if (!field || field.kind === 'exists' || field.kind === 'equals') throw new InvalidFilter(`cannot sort by ${path}`);
  if (field.kind === 'json' && !jsonAttributePattern.test(field.attribute)) throw new InvalidFilter(`cannot sort by ${path}`);
  return sql<string>`coalesce(${field.kind === 'json' ? sql`lower(${valueOf(field, dialect)})` : valueOf(field, dialect)}, '')`;
}
