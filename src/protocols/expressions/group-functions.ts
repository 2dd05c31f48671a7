/**
 * Okta's group functions over the user's groups: membership tests (`isMemberOf…`), the dynamic
 * allowlists `Groups.startsWith | contains | endsWith(app, pattern, limit)` and the static
 * allowlist `getFilteredGroups(allowlist, groupExpression, limit)`.
 *
 * `app` selects where groups come from: `"OKTA"` for groups mastered in Lanyard (types
 * `OKTA_GROUP` and `BUILT_IN`, or no type), otherwise an app instance id or app name matched
 * against an `APP_GROUP`'s `source`. `limit` must be 1 through 100, as Okta documents.
 */
import type { Node } from './ast.ts';
import { integerArg, listArg, textArg, type CallEnv, type FunctionSpec, type PrepareTools } from './call-kit.ts';
import type { ExpressionGroup } from './context.ts';
import { nameFilter } from './group-filter.ts';
import type { SafeRegex } from './regex.ts';
import type { Value } from './values.ts';

const maxGroupLimit = 100;

function checkLiteralLimit(node: Node | undefined, tools: PrepareTools): void {
  if (node?.kind === 'literal' && (typeof node.value !== 'number' || !Number.isInteger(node.value) || node.value < 1 || node.value > maxGroupLimit)) {
    tools.fail(`the group limit must be a whole number from 1 through ${maxGroupLimit}`, node.pos);
  }
}

function limitArg(env: CallEnv, args: readonly Value[], index: number): number {
  const limit = integerArg(env, args, index);
  if (limit < 1 || limit > maxGroupLimit) env.fail(`${env.name}: the group limit must be from 1 through ${maxGroupLimit}, not ${limit}`);
  return limit;
}

function fromSource(group: ExpressionGroup, source: string): boolean {
  if (source === 'OKTA') return group.type === undefined || group.type === 'OKTA_GROUP' || group.type === 'BUILT_IN';
  return group.type === 'APP_GROUP' && (group.source?.id === source || group.source?.name === source);
}

function dynamicAllowlist(type: 'STARTS_WITH' | 'CONTAINS' | 'ENDS_WITH'): FunctionSpec {
  return {
    params: '(app, pattern, limit)', min: 3, max: 3,
    prepare: (args, tools) => checkLiteralLimit(args[2], tools),
    call: (args, env) => {
      const source = textArg(env, args, 0);
      const pattern = textArg(env, args, 1);
      const limit = limitArg(env, args, 2);
      if (source === null || pattern === null) return env.fail(`${env.name} needs an app and a pattern, not null`);
      const test = nameFilter(type, pattern);
      return env.context.groups.filter((group) => fromSource(group, source) && test(group.name)).slice(0, limit).map((group) => group.name);
    },
  };
}

/** A leading `/`, and then a trailing one, are delimiters: Okta writes `isMemberOfGroupNameRegex("/.*admin.*")`. */
export function stripDelimiters(pattern: string): string {
  if (!pattern.startsWith('/')) return pattern;
  const inner = pattern.slice(1);
  return inner.endsWith('/') ? inner.slice(0, -1) : inner;
}

function matchesName(regex: SafeRegex, name: string): boolean {
  try {
    return regex.matches(name);
  } catch (error) {
    // Names past the matcher's subject bound never match (see group-filter.ts).
    if (error instanceof RangeError) return false;
    throw error;
  }
}

const memberTest = (test: (group: ExpressionGroup, value: string) => boolean): FunctionSpec => ({
  params: '(value)', min: 1, max: 1,
  call: (args, env) => {
    const value = textArg(env, args, 0);
    return value !== null && env.context.groups.some((group) => test(group, value));
  },
});

export const groupFunctions: ReadonlyMap<string, FunctionSpec> = new Map<string, FunctionSpec>([
  ['isMemberOfGroupName', memberTest((group, name) => group.name === name)],
  ['isMemberOfGroup', memberTest((group, id) => group.id === id)],
  ['isMemberOfAnyGroup', {
    params: '(...groupIds)', min: 1, max: Infinity,
    call: (args, env) => {
      const ids = new Set(args.map((_, i) => textArg(env, args, i)));
      return env.context.groups.some((group) => ids.has(group.id));
    },
  }],
  ['isMemberOfGroupNameStartsWith', memberTest((group, prefix) => group.name.startsWith(prefix))],
  ['isMemberOfGroupNameContains', memberTest((group, part) => group.name.includes(part))],
  ['isMemberOfGroupNameRegex', {
    params: '(pattern)', min: 1, max: 1,
    prepare: (args, tools) => {
      const pattern = tools.literalPattern(args[0]!, stripDelimiters);
      return pattern ? { pattern } : undefined;
    },
    call: (args, env) => {
      const source = textArg(env, args, 0);
      if (source === null) return false;
      const regex = env.regex(stripDelimiters(source));
      return env.context.groups.some((group) => matchesName(regex, group.name));
    },
  }],
  ['Groups.startsWith', dynamicAllowlist('STARTS_WITH')],
  ['Groups.contains', dynamicAllowlist('CONTAINS')],
  ['Groups.endsWith', dynamicAllowlist('ENDS_WITH')],
  ['getFilteredGroups', {
    params: '(allowlist, groupExpression, limit)', min: 3, max: 3,
    prepare: (args, tools) => {
      checkLiteralLimit(args[2], tools);
      return { groupExpression: tools.groupExpression(args[1]!) };
    },
    // Okta: "If there are more groups returned than the specified limit, an error is returned."
    call: (args, env) => {
      const allowlist = new Set((listArg(env, args, 0) ?? []).filter((id) => typeof id === 'string'));
      const limit = limitArg(env, args, 2);
      const chosen = env.context.groups.filter((group) => allowlist.has(group.id));
      if (chosen.length > limit) env.fail(`${env.name}: the user is in ${chosen.length} allowed groups, more than the limit of ${limit}`);
      return chosen.map((group) => env.groupValue(group));
    },
  }],
]);
