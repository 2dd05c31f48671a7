/**
 * Group-name filters, as Okta's groups claims and SAML group attribute statements offer them
 * (Starts with, Equals, Contains, Matches regex), shared by tokens, SAML and the group functions.
 * Comparisons are case-sensitive. A regular expression must match the whole name, as Java's
 * `String.matches` does: Okta's own advice is `.*` for every group and `.*admin.*` for names
 * containing "admin".
 */
import type { ExpressionGroup } from './context.ts';
import { ExpressionSyntaxError } from './errors.ts';
import { compileRegex, RegexSyntaxError, type SafeRegex } from './regex.ts';

export const groupFilterTypes = ['STARTS_WITH', 'EQUALS', 'CONTAINS', 'REGEX'] as const;
/** Okta's `OAuth2ClaimGroupFilterType`. */
export type GroupFilterType = (typeof groupFilterTypes)[number];

/** A predicate on a group name for one filter type and value. */
export function nameFilter(type: Exclude<GroupFilterType, 'REGEX'> | 'ENDS_WITH', value: string): (name: string) => boolean {
  switch (type) {
    case 'STARTS_WITH': return (name) => name.startsWith(value);
    case 'ENDS_WITH': return (name) => name.endsWith(value);
    case 'EQUALS': return (name) => name === value;
    case 'CONTAINS': return (name) => name.includes(value);
  }
}

/**
 * Compiles a group-name pattern, throwing {@link ExpressionSyntaxError} with the offset in the
 * pattern, so a claim's filter is checked when it is saved.
 */
export function compileGroupPattern(pattern: string): SafeRegex {
  try {
    return compileRegex(pattern);
  } catch (error) {
    if (error instanceof RegexSyntaxError) throw new ExpressionSyntaxError(`invalid regular expression: ${error.message}`, error.position);
    throw error;
  }
}

/**
 * Names of the groups that pass a groups-claim filter, in the order given, at most `limit`.
 * `REGEX` runs on the linear-time matcher (see `regex.ts`); an invalid pattern throws
 * {@link ExpressionSyntaxError}, a name longer than the matcher's subject bound is skipped.
 */
export function filterGroups(
  groups: readonly ExpressionGroup[],
  filterType: GroupFilterType,
  value: string,
  limit = 100,
): string[] {
  let test: (name: string) => boolean;
  if (filterType === 'REGEX') {
    const regex = compileGroupPattern(value);
    test = (name) => {
      try {
        return regex.matches(name);
      } catch (error) {
        if (error instanceof RangeError) return false;
        throw error;
      }
    };
  } else {
    test = nameFilter(filterType, value);
  }
  const names: string[] = [];
  for (const group of groups) {
    if (names.length >= limit) break;
    if (test(group.name)) names.push(group.name);
  }
  return names;
}
