/**
 * `/api/v1/directories`: LDAP and Active Directory integrations — settings (the bind password is
 * accepted, never shown), a connection test, imports, and the agents of a directory in mode AGENT.
 */
import { z } from 'zod';
import type { Services } from '../../services/index.ts';
import type { DirectoryAgentRecord, DirectoryImportRecord, DirectoryRecord } from '../../services/ports.ts';
import { settingsOf } from '../../services/directories.ts';
import { defineRoute, type ApiRoute } from '../api-route.ts';
import type { LanyardContext } from '../state.ts';

const id = z.string().min(1).max(200);
const directoryParams = z.object({ directoryId: id });
const importParams = z.object({ directoryId: id, importId: id });
const agentParams = z.object({ directoryId: id, agentId: id });
const body = z.record(z.string(), z.unknown());
const directorySchema = z.object({ id: z.string(), name: z.string(), preset: z.string(), mode: z.string() }).loose();
const importSchema = z.object({ id: z.string(), status: z.string(), kind: z.string() }).loose();

export function directoryJson(orgUrl: string, directory: DirectoryRecord): Record<string, unknown> {
  const { input: _input, ...settings } = settingsOf(directory);
  const self = `${orgUrl}/api/v1/directories/${directory.id}`;
  return {
    id: directory.id, name: directory.name, ...settings, created: directory.created, lastUpdated: directory.lastUpdated,
    _links: {
      self: { href: self }, test: { href: `${self}/test`, hints: { allow: ['POST'] } }, imports: { href: `${self}/imports` },
      ...(settings.mode === 'AGENT' ? { agents: { href: `${self}/agents` } } : {}),
    },
  };
}

function importJson(orgUrl: string, record: DirectoryImportRecord): Record<string, unknown> {
  return {
    id: record.id, kind: record.kind, status: record.status, since: record.since, mark: record.mark, progress: record.progress, error: record.error,
    created: record.created, lastUpdated: record.lastUpdated,
    _links: { self: { href: `${orgUrl}/api/v1/directories/${record.directoryId}/imports/${record.id}` } },
  };
}

const agentJson = (agent: DirectoryAgentRecord) => ({ id: agent.id, name: agent.name, created: agent.created, lastSeen: agent.lastSeen });

export function directoryRoutes(services: Services): ApiRoute[] {
  const d = services.directories;
  const url = (ctx: LanyardContext) => ctx.state.orgUrl!;
  const common = { tag: 'Directory', lanyard: true } as const;
  return [
    defineRoute({
      ...common, method: 'get', path: '/api/v1/directories', operationId: 'listDirectories', summary: 'The org\'s directory integrations.',
      response: { status: 200, description: 'The directories', schema: z.array(directorySchema) },
      handle: async ({ caller, ctx }) => ({ body: (await d.list(caller)).map((x) => directoryJson(url(ctx), x)) }),
    }),
    defineRoute({
      ...common, method: 'post', path: '/api/v1/directories', operationId: 'createDirectory',
      summary: 'Connect a directory: `preset` (OPENLDAP or ACTIVE_DIRECTORY) fills the object classes, attributes and change tracking.',
      body, bodyRequired: true,
      response: { status: 201, description: 'The directory (without its bind password)', schema: directorySchema },
      errors: ['request.validation_failed'],
      handle: async ({ caller, body: input, ctx }) => ({ status: 201, body: directoryJson(url(ctx), await d.create(caller, input)) }),
    }),
    defineRoute({
      ...common, method: 'get', path: '/api/v1/directories/:directoryId', operationId: 'getDirectory', summary: 'One directory integration.',
      params: directoryParams,
      response: { status: 200, description: 'The directory', schema: directorySchema },
      errors: ['resource.not_found'],
      handle: async ({ caller, params, ctx }) => ({ body: directoryJson(url(ctx), await d.get(caller, params.directoryId)) }),
    }),
    defineRoute({
      ...common, method: 'put', path: '/api/v1/directories/:directoryId', operationId: 'replaceDirectory',
      summary: 'Replace a directory\'s settings; leave out bindPassword to keep the stored one.',
      params: directoryParams, body, bodyRequired: true,
      response: { status: 200, description: 'The directory', schema: directorySchema },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ caller, params, body: input, ctx }) => ({ body: directoryJson(url(ctx), await d.replace(caller, params.directoryId, input)) }),
    }),
    defineRoute({
      ...common, method: 'delete', path: '/api/v1/directories/:directoryId', operationId: 'deleteDirectory',
      summary: 'Disconnect a directory: its users and groups stay, as the org\'s own.',
      params: directoryParams,
      response: { status: 204, description: 'Deleted' },
      errors: ['resource.not_found'],
      handle: async ({ caller, params }) => {
        await d.remove(caller, params.directoryId);
        return {};
      },
    }),
    defineRoute({
      ...common, method: 'post', path: '/api/v1/directories/:directoryId/test', operationId: 'testDirectory',
      summary: 'Bind, read the base DNs and count a page of users and groups; the report says which step failed and why.',
      params: directoryParams,
      response: { status: 200, description: 'The report' },
      errors: ['resource.not_found'],
      handle: async ({ caller, params }) => ({ body: await d.test(caller, params.directoryId) }),
    }),
    defineRoute({
      ...common, method: 'post', path: '/api/v1/directories/:directoryId/imports', operationId: 'startDirectoryImport',
      summary: 'Start an import: `{kind: FULL|INCREMENTAL}` (INCREMENTAL after a first successful run unless told).',
      params: directoryParams, body: z.unknown(),
      response: { status: 202, description: 'The import, running', schema: importSchema },
      errors: ['resource.not_found', 'request.validation_failed'],
      handle: async ({ caller, params, body: input, ctx }) => ({
        status: 202, body: importJson(url(ctx), await services.directoryImport.start(caller, params.directoryId, input)),
      }),
    }),
    defineRoute({
      ...common, method: 'get', path: '/api/v1/directories/:directoryId/imports', operationId: 'listDirectoryImports', summary: 'The latest imports, newest first.',
      params: directoryParams,
      response: { status: 200, description: 'The imports', schema: z.array(importSchema) },
      errors: ['resource.not_found'],
      handle: async ({ caller, params, ctx }) => ({ body: (await services.directoryImport.list(caller, params.directoryId)).map((r) => importJson(url(ctx), r)) }),
    }),
    defineRoute({
      ...common, method: 'get', path: '/api/v1/directories/:directoryId/imports/:importId', operationId: 'getDirectoryImport',
      summary: 'One import, with its status and progress counters.',
      params: importParams,
      response: { status: 200, description: 'The import', schema: importSchema },
      errors: ['resource.not_found'],
      handle: async ({ caller, params, ctx }) => ({ body: importJson(url(ctx), await services.directoryImport.get(caller, params.directoryId, params.importId)) }),
    }),
    defineRoute({
      ...common, method: 'post', path: '/api/v1/directories/:directoryId/agents/tokens', operationId: 'createDirectoryAgentToken',
      summary: 'A one-time enrolment token for `lanyard agent --token`, valid for an hour.',
      params: directoryParams,
      response: { status: 201, description: 'The token (shown once) and its expiry' },
      errors: ['resource.not_found', 'directory.not_agent_mode'],
      handle: async ({ caller, params }) => ({ status: 201, body: await services.directoryAgents.createToken(caller, params.directoryId) }),
    }),
    defineRoute({
      ...common, method: 'get', path: '/api/v1/directories/:directoryId/agents', operationId: 'listDirectoryAgents',
      summary: 'The directory\'s enrolled agents, with when each was last seen.',
      params: directoryParams,
      response: { status: 200, description: 'The agents' },
      errors: ['resource.not_found'],
      handle: async ({ caller, params }) => ({ body: (await services.directoryAgents.list(caller, params.directoryId)).map(agentJson) }),
    }),
    defineRoute({
      ...common, method: 'delete', path: '/api/v1/directories/:directoryId/agents/:agentId', operationId: 'revokeDirectoryAgent',
      summary: 'Revoke an agent: its secret stops working at once.',
      params: agentParams,
      response: { status: 204, description: 'Revoked' },
      errors: ['resource.not_found'],
      handle: async ({ caller, params }) => {
        await services.directoryAgents.revoke(caller, params.directoryId, params.agentId);
        return {};
      },
    }),
  ];
}
