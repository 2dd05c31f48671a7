/** `POST /api/v1/users/import/csv` (a Lanyard addition): users from a CSV file, row by row. */
import { z } from 'zod';
import type { Services } from '../../services/index.ts';
import { defineRoute, type ApiRoute } from '../api-route.ts';

export function userImportRoutes(services: Services): ApiRoute[] {
  return [
    defineRoute({
      method: 'post', path: '/api/v1/users/import/csv', operationId: 'importUsersFromCsv', tag: 'User', lanyard: true,
      summary: 'Create (or with `update: true`, update) users from `{csv, activate?, update?}`: a header of profile attributes, '
        + 'optionally `groups` (names separated by `;`). Bad rows are reported by line; the others go in.',
      body: z.record(z.string(), z.unknown()), bodyRequired: true,
      response: { status: 200, description: 'How many users were created and updated, and the rows that failed' },
      errors: ['request.validation_failed'],
      handle: async ({ body, caller }) => ({ body: await services.userImport.importCsv(caller, body) }),
    }),
  ];
}
