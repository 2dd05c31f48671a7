/**
 * The OpenAPI 3.1 document, written from the same route definitions that serve the API.
 * Lanyard's additions to Okta's API carry `x-lanyard: true`.
 */
import { z } from 'zod';
import { errorRegistry } from '../kernel/errors.ts';
import type { ApiRoute } from './api-route.ts';

type JsonSchema = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  delete json.$schema;
  return json;
}

function parametersOf(route: ApiRoute): JsonSchema[] {
  const out: JsonSchema[] = [];
  const add = (schema: z.ZodType | undefined, where: 'path' | 'query') => {
    if (!schema) return;
    const json = schemaOf(schema, 'input');
    const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((json.required ?? []) as string[]);
    for (const [name, property] of Object.entries(properties)) {
      out.push({ name, in: where, required: where === 'path' || required.has(name), schema: property });
    }
  };
  add(route.params, 'path');
  add(route.query, 'query');
  return out;
}

const errorSchema: JsonSchema = {
  type: 'object',
  required: ['errorCode', 'errorSummary', 'errorLink', 'errorId', 'errorCauses'],
  properties: {
    errorCode: { type: 'string', examples: ['E0000001'] },
    errorSummary: { type: 'string' },
    errorLink: { type: 'string' },
    errorId: { type: 'string' },
    errorCauses: { type: 'array', items: { type: 'object', properties: { errorSummary: { type: 'string' } } } },
  },
};

/** Okta-style path templates: `/users/:userId` → `/users/{userId}`. */
export function openApiPath(koaPath: string): string {
  return koaPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

export function buildOpenApi(routes: readonly ApiRoute[], serverUrl: string, version: string): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const responses: Record<string, JsonSchema> = {
      [String(route.response.status)]: {
        description: route.response.description,
        ...(route.response.schema ? { content: { 'application/json': { schema: schemaOf(route.response.schema, 'output') } } } : {}),
        ...(route.response.paged ? { headers: { Link: { description: 'rel="self" and, when there is more, rel="next"', schema: { type: 'string' } } } } : {}),
      },
      401: { $ref: '#/components/responses/Unauthorized' },
      429: { $ref: '#/components/responses/TooManyRequests' },
    };
    for (const code of route.errors ?? []) {
      const spec = errorRegistry[code];
      const key = String(spec.status);
      const existing = responses[key] as { description?: string } | undefined;
      const line = `${spec.okta}: ${spec.summary.replace('{0}', '…')}`;
      responses[key] = {
        description: existing?.description && !existing.description.startsWith('#') ? `${existing.description}; ${line}` : line,
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      };
    }
    const operation: JsonSchema = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.tag],
      parameters: parametersOf(route),
      responses,
      ...(route.lanyard ? { 'x-lanyard': true } : {}),
    };
    if (route.body) {
      operation.requestBody = {
        required: route.bodyRequired ?? false,
        content: { 'application/json': { schema: schemaOf(route.body, 'input') } },
      };
    }
    const path = openApiPath(route.path);
    (paths[path] ??= {})[route.method] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Lanyard API',
      version,
      description: 'Okta-compatible management API of Lanyard. Authenticate with `Authorization: SSWS {token}`.',
    },
    servers: [{ url: serverUrl }],
    security: [{ apiToken: [] }],
    paths,
    components: {
      securitySchemes: { apiToken: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'SSWS {token}' } },
      schemas: { Error: errorSchema },
      responses: {
        Unauthorized: { description: 'E0000011: Invalid token provided', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
        TooManyRequests: { description: 'E0000047: rate limit exceeded', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
    },
  };
}
