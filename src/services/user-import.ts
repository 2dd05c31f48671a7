/**
 * Users from a CSV file, for an org with no HR connector: the header names profile attributes
 * (`login`, `email`, `firstName`, `lastName`, any other base or custom attribute) and may add
 * `groups` (group names separated by `;`). Each row is created — or, when asked, updated if its
 * login exists — through the same service as the API, so policy, the log and provisioning apply.
 * A bad row is reported with its line and causes; the others still go in.
 */
import { z } from 'zod';
import { isAppError, validationError } from '../kernel/errors.ts';
import { CsvError, parseCsv } from '../protocols/csv/parse.ts';
import { baseProfileShape, customAttributeName } from '../domain/user-profile.ts';
import type { Caller } from './caller.ts';
import type { ServiceDeps } from './deps.ts';
import type { UserService } from './users.ts';
import type { GroupService } from './groups.ts';
import { parseOrThrow } from './validation.ts';

export const csvImportSchema = z.strictObject({
  csv: z.string().min(1, 'is required').max(10 * 1024 * 1024, 'must be at most 10 MB'),
  /** Activate the new users (the default), or leave them STAGED. */
  activate: z.boolean().default(true),
  /** Update users whose login already exists, instead of reporting them. */
  update: z.boolean().default(false),
});

export interface CsvImportResult {
  readonly created: number;
  readonly updated: number;
  readonly failed: { line: number; login: string | null; causes: string[] }[];
}

export function createUserImport(deps: ServiceDeps, users: UserService, groups: GroupService) {
  async function importCsv(caller: Caller, raw: unknown): Promise<CsvImportResult> {
    const input = parseOrThrow(csvImportSchema, raw);
    let table;
    try {
      table = parseCsv(input.csv);
    } catch (error) {
      if (error instanceof CsvError) throw validationError([`csv: ${error.message}`], 'csv');
      throw error;
    }
    if (!table.columns.includes('login')) throw validationError(['csv: the header needs a login column'], 'csv');
    const unknown = table.columns.filter((c) => c !== 'groups' && !(c in baseProfileShape) && !customAttributeName.test(c));
    if (unknown.length > 0) throw validationError([`csv: ${unknown.join(', ')} cannot be profile attributes`], 'csv');

    const groupIds = new Map<string, string>();
    const result: CsvImportResult = { created: 0, updated: 0, failed: [] };
    for (const row of table.rows) {
      const login = row.values.login?.trim() || null;
      try {
        const profile: Record<string, unknown> = {};
        for (const [column, value] of Object.entries(row.values)) if (column !== 'groups' && value.trim() !== '') profile[column] = value.trim();
        const names = (row.values.groups ?? '').split(';').map((g) => g.trim()).filter(Boolean);
        const ids: string[] = [];
        for (const name of names) {
          let id = groupIds.get(name);
          if (!id) {
            const group = await deps.store.forOrg(caller.org.id).groups.findByName(name);
            if (!group) throw validationError([`groups: there is no group named ${name}`]);
            id = group.id;
            groupIds.set(name, id);
          }
          ids.push(id);
        }
        const existing = login ? await deps.store.forOrg(caller.org.id).users.findByLogin(login) : undefined;
        if (existing) {
          if (!input.update) throw validationError([`login: ${login} already exists (send update: true to update it)`]);
          await users.update(caller, existing.id, { profile }, 'partial');
          for (const id of ids) await groups.addMember(caller, id, existing.id);
          (result as { updated: number }).updated += 1;
        } else {
          await users.create(caller, { profile, groupIds: ids }, { activate: input.activate });
          (result as { created: number }).created += 1;
        }
      } catch (error) {
        if (!isAppError(error)) throw error;
        result.failed.push({ line: row.line, login, causes: error.causes.length > 0 ? [...error.causes] : [error.message] });
      }
    }
    return result;
  }

  return { importCsv };
}
