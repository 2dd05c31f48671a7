/** Okta's paging: `limit` and an opaque `after` cursor, with `Link` headers for self and next. */
import { z } from 'zod';
import { AppError, validationError } from '../kernel/errors.ts';
import { FilterSyntaxError, parseFilter, type Filter } from '../protocols/scim/filter.ts';
import type { LanyardContext } from './state.ts';

/** `limit`: a whole number; values above `max` are clamped to it, as Okta does. */
export function parseLimit(value: string | undefined, defaultLimit: number, max: number): number {
  if (value === undefined || value === '') return defaultLimit;
  const n = /^\d{1,9}$/.test(value) ? Number(value) : 0;
  if (n < 1) throw validationError([`limit: must be a whole number from 1 to ${max}`], 'limit');
  return Math.min(n, max);
}

export const afterParam = z.string().max(200, 'is not a cursor this API issued').optional();

/** Parses a `filter` or `search` expression, answering `E0000031` with the exact problem. */
export function parseSearch(text: string | undefined, name: string): Filter | undefined {
  if (text === undefined || text === '') return undefined;
  try {
    return parseFilter(text);
  } catch (error) {
    if (error instanceof FilterSyntaxError) {
      throw new AppError('request.invalid_search', { causes: [`Invalid search syntax in ${name}: ${error.message}.`] });
    }
    throw error;
  }
}

/** `Link` header values: self, and next when there is a next page. */
export function pageLinks(ctx: LanyardContext, next: string | undefined): string[] {
  const base = `${ctx.state.orgUrl ?? ctx.origin}${ctx.path}`;
  const current = new URLSearchParams(ctx.querystring);
  const links = [`<${base}${current.size ? `?${current}` : ''}>; rel="self"`];
  if (next !== undefined) {
    const following = new URLSearchParams();
    following.set('after', next);
    for (const [key, value] of current) if (key !== 'after') following.append(key, value);
    links.push(`<${base}?${following}>; rel="next"`);
  }
  return links;
}
