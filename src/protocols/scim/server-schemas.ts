/**
 * What the inbound SCIM server says about itself (RFC 7643 §5–7): its capabilities, its two
 * resource types, and the schemas of the attributes it keeps — only those it maps to Lanyard's
 * profile, so a client that reads the schema learns exactly what is stored.
 */
import { scimSchemas } from './client.ts';

type Json = Record<string, any>;

export function serviceProviderConfig(base: string): Json {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    documentationUri: `${base.replace(/\/scim\/v2$/, '')}/api/v1/openapi.json`,
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: 200 },
    changePassword: { supported: true },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [{
      type: 'oauthbearertoken', name: 'API token', description: 'A Lanyard API token, sent as Authorization: Bearer <token>', primary: true,
    }],
    meta: { resourceType: 'ServiceProviderConfig', location: `${base}/ServiceProviderConfig` },
  };
}

export function resourceTypesDocument(base: string): Json {
  const types = [
    { schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'], id: 'User', name: 'User', endpoint: '/Users', schema: scimSchemas.user,
      schemaExtensions: [{ schema: scimSchemas.enterpriseUser, required: false }], meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/User` } },
    { schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'], id: 'Group', name: 'Group', endpoint: '/Groups', schema: scimSchemas.group,
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/Group` } },
  ];
  return { schemas: [scimSchemas.listResponse], totalResults: types.length, startIndex: 1, itemsPerPage: types.length, Resources: types };
}

const attribute = (name: string, extra: Json = {}): Json => ({
  name, type: 'string', multiValued: false, required: false, caseExact: false, mutability: 'readWrite', returned: 'default', uniqueness: 'none', ...extra,
});

export function userSchemaDocument(): Json {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'], id: scimSchemas.user, name: 'User', description: 'A person of the org',
    attributes: [
      attribute('userName', { required: true, uniqueness: 'server' }),
      attribute('name', { type: 'complex', subAttributes: ['givenName', 'familyName', 'middleName', 'honorificPrefix', 'honorificSuffix'].map((n) => attribute(n)) }),
      ...['displayName', 'nickName', 'profileUrl', 'title', 'userType', 'preferredLanguage', 'locale', 'timezone', 'externalId'].map((n) => attribute(n)),
      attribute('active', { type: 'boolean' }),
      attribute('password', { mutability: 'writeOnly', returned: 'never' }),
      attribute('emails', { type: 'complex', multiValued: true, subAttributes: [attribute('value'), attribute('type'), attribute('primary', { type: 'boolean' })] }),
      attribute('phoneNumbers', { type: 'complex', multiValued: true, subAttributes: [attribute('value'), attribute('type')] }),
    ],
    meta: { resourceType: 'Schema' },
  };
}

export function groupSchemaDocument(): Json {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'], id: scimSchemas.group, name: 'Group', description: 'A group of the org',
    attributes: [
      attribute('displayName', { required: true, uniqueness: 'server' }),
      attribute('members', { type: 'complex', multiValued: true, subAttributes: [attribute('value', { mutability: 'immutable' }), attribute('display', { mutability: 'readOnly' })] }),
    ],
    meta: { resourceType: 'Schema' },
  };
}
