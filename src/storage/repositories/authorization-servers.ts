/**
 * Authorization servers of one org and their child documents (scopes, claims, policies, rules),
 * each stored as Okta's JSON document beside the columns it is found by.
 */
import type { Kysely, Selectable } from 'kysely';
import type { AuthorizationServersTable, Database } from '../schema.ts';
import type { AsDocumentRepository, AuthorizationServerRepository } from '../../services/ports.ts';
import { signingSettingsSchema, type AuthorizationServer, type Claim, type Policy, type Rule, type Scope } from '../../domain/authorization-server.ts';
import { mapErrors } from '../errors.ts';

function toServer(row: Selectable<AuthorizationServersTable>): AuthorizationServer {
  return {
    id: row.id,
    orgId: row.org_id,
    name: row.name,
    description: row.description,
    audiences: JSON.parse(row.audiences) as string[],
    issuerMode: row.issuer_mode as AuthorizationServer['issuerMode'],
    status: row.status as AuthorizationServer['status'],
    signing: signingSettingsSchema.parse(JSON.parse(row.signing)),
    created: row.created,
    lastUpdated: row.last_updated,
  };
}

type DocumentTable = 'as_scopes' | 'as_claims' | 'as_policies' | 'as_policy_rules';

/** Columns beside the document, derived from it. */
type KeyColumns<T> = (document: T) => Record<string, string | number>;

function documentRepository<T extends { id: string }>(db: Kysely<Database>, orgId: string, table: DocumentTable,
  keys: KeyColumns<T>, order: 'name' | 'priority'): AsDocumentRepository<T> {
  // The table name varies; Kysely's types cannot follow it, and every value still goes through bindings.
  const anyDb = db as unknown as Kysely<Record<DocumentTable, { org_id: string; as_id: string; id: string; document: string; created: string; last_updated: string; name: string; priority: number }>>;
  return {
    list: async (asId) => (await anyDb.selectFrom(table).select('document').where('org_id', '=', orgId).where('as_id', '=', asId)
      .orderBy(order).orderBy('id').execute()).map((r) => JSON.parse(r.document) as T),
    findById: async (asId, id) => {
      const row = await anyDb.selectFrom(table).select('document').where('org_id', '=', orgId).where('as_id', '=', asId)
        .where('id', '=', id).executeTakeFirst();
      return row ? JSON.parse(row.document) as T : undefined;
    },
    insert: (asId, document, now) => mapErrors(async () => {
      await anyDb.insertInto(table).values({
        org_id: orgId, as_id: asId, id: document.id, document: JSON.stringify(document), created: now, last_updated: now, ...keys(document),
      } as never).execute();
    }),
    update: (asId, document, now) => mapErrors(async () => {
      await anyDb.updateTable(table).set({ document: JSON.stringify(document), last_updated: now, ...keys(document) } as never)
        .where('org_id', '=', orgId).where('as_id', '=', asId).where('id', '=', document.id).execute();
    }),
    delete: async (asId, id) => {
      const result = await anyDb.deleteFrom(table).where('org_id', '=', orgId).where('as_id', '=', asId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    timestamps: async (asId) => new Map((await anyDb.selectFrom(table).select(['id', 'created', 'last_updated'])
      .where('org_id', '=', orgId).where('as_id', '=', asId).execute())
      .map((r) => [r.id, { created: r.created, lastUpdated: r.last_updated }])),
  };
}

export function createAuthorizationServerRepository(db: Kysely<Database>, orgId: string): AuthorizationServerRepository {
  const values = (server: AuthorizationServer) => ({
    name: server.name,
    description: server.description,
    audiences: JSON.stringify(server.audiences),
    issuer_mode: server.issuerMode,
    status: server.status,
    signing: JSON.stringify(server.signing),
    last_updated: server.lastUpdated,
  });
  return {
    insert: (server) => mapErrors(async () => {
      await db.insertInto('authorization_servers').values({ org_id: orgId, id: server.id, created: server.created, ...values(server) }).execute();
    }),
    update: async (server) => {
      await db.updateTable('authorization_servers').set(values(server)).where('org_id', '=', orgId).where('id', '=', server.id).execute();
    },
    findById: async (id) => {
      const row = await db.selectFrom('authorization_servers').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
      return row ? toServer(row) : undefined;
    },
    list: async () => (await db.selectFrom('authorization_servers').selectAll().where('org_id', '=', orgId)
      .orderBy('created').orderBy('id').execute()).map(toServer),
    delete: async (id) => {
      const result = await db.deleteFrom('authorization_servers').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    scopes: documentRepository<Scope>(db, orgId, 'as_scopes', (s) => ({ name: s.name }), 'name'),
    claims: documentRepository<Claim>(db, orgId, 'as_claims', (c) => ({ name: c.name, claim_type: c.claimType }), 'name'),
    policies: documentRepository<Policy>(db, orgId, 'as_policies', (p) => ({ priority: p.priority }), 'priority'),
    rules: documentRepository<Rule>(db, orgId, 'as_policy_rules', (r) => ({ policy_id: r.policyId, priority: r.priority }), 'priority'),
  };
}
