import { describe, expect, it } from 'vitest';
import { managementScopes, scopesForRoute } from '../../src/domain/api-scopes.ts';
import { allApiRoutes } from '../../src/http/server.ts';
import type { Services } from '../../src/services/index.ts';

describe('management API scopes', () => {
  // The route list is built without running anything: handlers are not called here.
  const routes = allApiRoutes(new Proxy({}, { get: () => new Proxy({}, { get: () => () => undefined }) }) as unknown as Services);

  it('gives every API route a scope, reading with .read or .manage and changing with .manage only', () => {
    expect(routes.length).toBeGreaterThan(150);
    const unmapped = routes.filter((r) => scopesForRoute(r.tag, r.method).length === 0).map((r) => `${r.method} ${r.path} (${r.tag})`);
    expect(unmapped).toEqual([]);
    for (const route of routes) {
      const scopes = scopesForRoute(route.tag, route.method);
      for (const scope of scopes) expect(managementScopes).toContain(scope);
      if (route.method !== 'get') expect(scopes.every((s) => s.endsWith('.manage'))).toBe(true);
    }
  });

  it('names scopes as Okta does', () => {
    expect(scopesForRoute('User', 'get')).toEqual(['okta.users.read', 'okta.users.manage']);
    expect(scopesForRoute('Group', 'post')).toEqual(['okta.groups.manage']);
    expect(scopesForRoute('SystemLog', 'get')).toEqual(['okta.logs.read']);
    expect(scopesForRoute('NoSuchTag', 'get')).toEqual([]);
  });
});
