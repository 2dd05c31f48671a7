/**
 * The suite's SCIM 2.0 service provider: `scimmy` and its Express routers (so the protocol —
 * schemas, filters, PATCH, paging, errors — is a real library's, not ours), Users and Groups kept
 * in memory per server, a bearer token, every request recorded as it arrived, and faults injected
 * on demand: 429 with Retry-After, 500, latency, dropped connections.
 *
 * SCIMMY's resource declarations are process-wide, so they are made once and find each server's
 * directory through the request context.
 */
import { createServer, type Server } from 'node:http';
import express from 'express';
import SCIMMY from 'scimmy';
import SCIMMYRouters from 'scimmy-routers';

export interface Directory {
  readonly users: Map<string, Record<string, any>>;
  /** Lower-cased userName → id, kept by the handlers (users set directly in a test are found by a scan). */
  readonly userNames: Map<string, string>;
  readonly groups: Map<string, Record<string, any>>;
  next: number;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  /** The decoded query, e.g. `{ filter: 'userName eq "a@b.c"' }`. */
  readonly query: Record<string, string>;
  readonly body: any;
  readonly authorization: string | undefined;
  /** What the server answered (0 for a dropped connection). */
  status: number;
}

export interface Faults {
  /** Share of requests answered 429 with `Retry-After: retryAfterSeconds`. */
  rate429?: number;
  retryAfterSeconds?: number;
  /** Share of requests answered 500. */
  rate500?: number;
  /** Share of connections dropped before any answer. */
  dropRate?: number;
  /** Delay before each answer. */
  latencyMs?: number;
  /** The next this many requests get no answer at all: the client must time out. */
  stallNext?: number;
}

const contextKey = Symbol('directory');

function directoryOf(ctx: any): Directory {
  const directory = ctx?.[contextKey] as Directory | undefined;
  if (!directory) throw new SCIMMY.Types.Error(500, null!, 'no directory for this request');
  return directory;
}

/** A user by lower-cased userName: from the index, or by a scan for users a test put in directly. */
function findByUserName(directory: Directory, key: string): Record<string, any> | undefined {
  const id = directory.userNames.get(key);
  const indexed = id ? directory.users.get(id) : undefined;
  if (indexed && String(indexed.userName).toLowerCase() === key) return indexed;
  if (directory.users.size > directory.userNames.size) return [...directory.users.values()].find((u) => String(u.userName).toLowerCase() === key);
  return undefined;
}

const notFound = (id: string) => new SCIMMY.Types.Error(404, null!, `Resource ${id} not found`);

let declared = false;
function declareResources(): void {
  if (declared) return;
  declared = true;
  SCIMMY.Resources.declare(SCIMMY.Resources.User)
    .ingress((resource: any, data: any, ctx: any) => {
      const directory = directoryOf(ctx);
      const { users } = directory;
      const existing = resource.id ? users.get(resource.id) : undefined;
      if (resource.id && !existing) throw notFound(resource.id);
      const key = String(data.userName).toLowerCase();
      const clash = findByUserName(directory, key);
      if (clash && clash.id !== resource.id) throw new SCIMMY.Types.Error(409, 'uniqueness', 'userName is already taken');
      const id = resource.id ?? `u${++directory.next}`;
      const now = new Date();
      const user = { ...data, id, meta: { created: existing?.meta?.created ?? now, lastModified: now } };
      if (existing) directory.userNames.delete(String(existing.userName).toLowerCase());
      users.set(id, user);
      directory.userNames.set(key, id);
      return user;
    })
    .egress((resource: any, ctx: any) => {
      const directory = directoryOf(ctx);
      const { users } = directory;
      if (resource.id) return users.get(resource.id) ?? (() => { throw notFound(resource.id); })();
      // The lookup every provisioning client makes, answered from the index rather than a scan.
      const only = resource.filter?.length === 1 ? resource.filter[0] : undefined;
      if (only && Object.keys(only).length === 1 && Array.isArray(only.userName) && only.userName[0] === 'eq') {
        const found = findByUserName(directory, String(only.userName[1]).toLowerCase());
        return found ? [found] : [];
      }
      const all = [...users.values()];
      return resource.filter ? resource.filter.match(all) : all;
    })
    .degress((resource: any, ctx: any) => {
      const directory = directoryOf(ctx);
      const user = directory.users.get(resource.id);
      if (!user) throw notFound(resource.id);
      directory.users.delete(resource.id);
      directory.userNames.delete(String(user.userName).toLowerCase());
    });
  SCIMMY.Resources.declare(SCIMMY.Resources.Group)
    .ingress((resource: any, data: any, ctx: any) => {
      const directory = directoryOf(ctx);
      const existing = resource.id ? directory.groups.get(resource.id) : undefined;
      if (resource.id && !existing) throw notFound(resource.id);
      const clash = [...directory.groups.values()].find((g) => g.displayName === data.displayName && g.id !== resource.id);
      if (clash) throw new SCIMMY.Types.Error(409, 'uniqueness', 'displayName is already taken');
      const id = resource.id ?? `g${++directory.next}`;
      const now = new Date();
      const group = { ...data, id, members: data.members ?? [], meta: { created: existing?.meta?.created ?? now, lastModified: now } };
      directory.groups.set(id, group);
      return group;
    })
    .egress((resource: any, ctx: any) => {
      const { groups } = directoryOf(ctx);
      if (resource.id) return groups.get(resource.id) ?? (() => { throw notFound(resource.id); })();
      const all = [...groups.values()];
      return resource.filter ? resource.filter.match(all) : all;
    })
    .degress((resource: any, ctx: any) => {
      if (!directoryOf(ctx).groups.delete(resource.id)) throw notFound(resource.id);
    });
}

/** The state behind one SCIM endpoint: its token, directory, recorded requests and faults. */
export interface ScimEndpoint {
  readonly token: string;
  readonly directory: Directory;
  readonly requests: RecordedRequest[];
  faults: Faults;
  /** Requests so far that reached the directory (not answered by an injected fault). */
  served(): RecordedRequest[];
  /** The client the token endpoint (`/oauth/token`) accepts, and how many tokens it issued. */
  readonly oauthClient: { readonly id: string; readonly secret: string };
  tokensIssued: number;
}

export function createScimEndpoint(options: { token?: string; faults?: Faults } = {}): ScimEndpoint {
  const requests: RecordedRequest[] = [];
  return {
    token: options.token ?? 'scim-test-token-0123456789abcdef',
    directory: { users: new Map(), userNames: new Map(), groups: new Map(), next: 0 },
    requests,
    faults: options.faults ?? {},
    served: () => requests.filter((r) => !injectedRequests.has(r)),
    oauthClient: { id: 'lanyard-provisioning', secret: 'oauth-client-secret-0123456789' },
    tokensIssued: 0,
  };
}

const injectedRequests = new WeakSet<RecordedRequest>();

/** An Express app serving `endpoint` at `/scim/v2`. */
export function scimExpressApp(endpoint: ScimEndpoint, random: () => number = Math.random): express.Express {
  declareResources();
  const app = express();
  app.use(express.json({ type: ['application/json', 'application/scim+json'], limit: '1mb' }));
  app.use((req, res, next) => {
    const record: RecordedRequest = {
      method: req.method, path: req.path, query: Object.fromEntries(Object.entries(req.query).map(([k, v]) => [k, String(v)])),
      body: req.body && Object.keys(req.body).length > 0 ? req.body : undefined, authorization: req.header('authorization'), status: 0,
    };
    endpoint.requests.push(record);
    res.on('finish', () => {
      record.status = res.statusCode;
    });
    const faults = endpoint.faults;
    if (faults.stallNext && faults.stallNext > 0) {
      faults.stallNext -= 1;
      injectedRequests.add(record);
      return;
    }
    const answer = () => {
      const roll = random();
      const drop = faults.dropRate ?? 0;
      const tooMany = drop + (faults.rate429 ?? 0);
      const broken = tooMany + (faults.rate500 ?? 0);
      if (roll < drop) {
        injectedRequests.add(record);
        req.socket.destroy();
      } else if (roll < tooMany) {
        injectedRequests.add(record);
        res.status(429).set('Retry-After', String(faults.retryAfterSeconds ?? 1)).json({
          schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '429', detail: 'Too many requests',
        });
      } else if (roll < broken) {
        injectedRequests.add(record);
        res.status(500).json({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '500', detail: 'Injected failure' });
      } else {
        next();
      }
    };
    if (faults.latencyMs) setTimeout(answer, faults.latencyMs);
    else answer();
  });
  // An OAuth 2 token endpoint for the client-credentials grant, issuing the endpoint's token.
  app.post('/oauth/token', express.urlencoded({ extended: false }), (req, res) => {
    const expected = `Basic ${Buffer.from(`${endpoint.oauthClient.id}:${endpoint.oauthClient.secret}`).toString('base64')}`;
    if (req.header('authorization') !== expected || req.body?.grant_type !== 'client_credentials') {
      res.status(401).json({ error: 'invalid_client' });
      return;
    }
    endpoint.tokensIssued += 1;
    res.json({ access_token: endpoint.token, token_type: 'Bearer', expires_in: 3600 });
  });
  app.use('/scim/v2', new SCIMMYRouters({
    type: 'bearer',
    docUri: 'https://scim.example.com/help',
    handler: (request: express.Request) => {
      if (request.header('authorization') !== `Bearer ${endpoint.token}`) throw new Error('Authorization failed');
      return 'provisioning-client';
    },
    context: () => ({ [contextKey]: endpoint.directory }),
  }) as unknown as express.Router);
  return app;
}

export interface ScimServer extends ScimEndpoint {
  readonly url: string;
  close(): Promise<void>;
}

/** A SCIM server on a free loopback port, mounted at `/scim/v2`. */
export async function startScimServer(options: { token?: string; faults?: Faults; random?: () => number } = {}): Promise<ScimServer> {
  const endpoint = createScimEndpoint(options);
  const http: Server = createServer(scimExpressApp(endpoint, options.random));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as { port: number }).port;
  return Object.assign(endpoint, {
    url: `http://127.0.0.1:${port}/scim/v2`,
    close: async () => {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  });
}
