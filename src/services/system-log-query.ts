/** `GET /api/v1/logs`: Okta's query parameters, validated, over the log repository. */
import { AppError, validationError } from '../kernel/errors.ts';
import { uuidV7Floor } from '../kernel/ids.ts';
import { FilterSyntaxError, parseFilter } from '../protocols/scim/filter.ts';
import type { LogEvent } from '../domain/log-event.ts';
import { InvalidFilter } from './ports.ts';
import type { ServiceDeps } from './deps.ts';
import type { Caller } from './caller.ts';

export interface LogQueryParams {
  readonly since?: string | undefined;
  readonly until?: string | undefined;
  readonly after?: string | undefined;
  readonly filter?: string | undefined;
  readonly q?: string | undefined;
  readonly limit?: string | undefined;
  readonly sortOrder?: string | undefined;
}

export interface LogQueryResult {
  readonly items: readonly LogEvent[];
  /** Cursor of the next page; polling queries always have one. */
  readonly next: string | undefined;
  readonly since: string;
  readonly limit: number;
}

const weekMs = 7 * 24 * 3600 * 1000;

function parseDate(name: string, value: string | undefined): Date | undefined {
  if (value === undefined || value === '') return undefined;
  const time = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) {
    throw validationError([
      `${name}: The date format in your query is not recognized. Please enter dates using ISO8601 string format.`,
    ], `'${name}'`);
  }
  return new Date(time);
}

export function createSystemLogQuery(deps: ServiceDeps) {
  return async function query(caller: Caller, params: LogQueryParams): Promise<LogQueryResult> {
    const until = parseDate('until', params.until);
    const since = parseDate('since', params.since) ?? new Date((until ?? deps.clock.now()).getTime() - weekMs);
    const limit = params.limit === undefined ? 100 : Number(params.limit);
    if (!Number.isInteger(limit) || limit < 0 || limit > 1000) throw validationError(['limit: must be an integer from 0 to 1000'], "'limit'");
    const order = (params.sortOrder ?? 'ASCENDING').toUpperCase();
    if (order !== 'ASCENDING' && order !== 'DESCENDING') throw validationError(['sortOrder: must be ASCENDING or DESCENDING'], "'sortOrder'");
    const keywords = (params.q ?? '').split(/\s+/).filter(Boolean);
    if (keywords.length > 10) throw validationError(['q: Freeform search cannot contain more than 10 items.'], "'q'");
    if (keywords.some((k) => k.length > 40)) {
      throw validationError(['q: Freeform search cannot contain items longer than 40 characters. Please shorten the items in your search or use an advanced filter to query by specific fields.'], "'q'");
    }
    let filter;
    try {
      filter = params.filter ? parseFilter(params.filter) : undefined;
    } catch (error) {
      if (error instanceof FilterSyntaxError) throw new AppError('request.invalid_search', { causes: [`Invalid filter: ${error.message}`] });
      throw error;
    }
    try {
      const page = await deps.store.forOrg(caller.org.id).logs.query({
        since: since.toISOString(),
        ...(until ? { until: until.toISOString() } : {}),
        ...(filter ? { filter } : {}),
        q: keywords,
        limit,
        ...(params.after ? { after: params.after } : {}),
        order,
      });
      const polling = until === undefined && order === 'ASCENDING';
      const last = page.items[page.items.length - 1]?.uuid;
      // A polling client always gets somewhere to come back to, even from an empty first page.
      const next = page.next ?? (polling ? last ?? params.after ?? uuidV7Floor(since.getTime()) : undefined);
      return { items: page.items, next, since: since.toISOString(), limit };
    } catch (error) {
      if (error instanceof InvalidFilter) throw new AppError('request.invalid_search', { causes: [`Invalid filter: ${error.message}`] });
      throw error;
    }
  };
}
