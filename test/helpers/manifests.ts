/** Valid integration manifests to start from, for tests that then break one rule or publish a version. */
import { logoSvg } from '../../src/catalog/logo-art.ts';

export function logoData(id: string, initials = 'Ts'): { mediaType: 'image/svg+xml'; data: string } {
  return { mediaType: 'image/svg+xml', data: Buffer.from(logoSvg(id, initials)).toString('base64') };
}

/** A SAML integration for a vendor whose customers live at `https://{subdomain}.{host}`. */
export function samlManifest(id = 'acme-wiki', host = 'acme-wiki.example.com', version = '1.0.0'): Record<string, any> {
  return {
    manifestFormat: 1,
    id,
    version,
    name: `Acme Wiki ${id}`,
    vendor: { name: 'Acme Software', website: 'https://acme.example.com' },
    website: 'https://acme.example.com/wiki',
    category: 'Documentation',
    description: 'A wiki for teams, used here as a test integration.',
    logo: logoData(id),
    variables: [
      { name: 'subdomain', label: 'Your Acme Wiki subdomain', type: 'subdomain', pattern: '^[a-z0-9-]{2,30}$', example: 'globex' },
    ],
    signOn: {
      saml: {
        acsUrl: `https://\${org.subdomain}.${host}/saml/acs`,
        audience: `https://\${org.subdomain}.${host}/saml/metadata`,
        nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
        nameIdValue: '${user.email}',
        attributes: [{ name: 'email', value: 'user.email' }, { name: 'firstName', value: 'user.firstName' }],
        groups: { name: 'groups', filterType: 'STARTS_WITH', filterValue: 'wiki-' },
        instructions: 'In Acme Wiki at https://${org.subdomain}.' + host + '/admin, paste ${lanyard.metadataUrl}.',
      },
    },
    contacts: { support: { email: 'support@acme.example.com' } },
  };
}

/** An OpenID Connect integration (a confidential web app). */
export function oidcManifest(id = 'acme-board', host = 'acme-board.example.com', version = '1.0.0'): Record<string, any> {
  return {
    manifestFormat: 1,
    id,
    version,
    name: `Acme Board ${id}`,
    vendor: { name: 'Acme Software', website: 'https://acme.example.com' },
    website: 'https://acme.example.com/board',
    category: 'Project management',
    description: 'Boards for planning work, used here as a test integration.',
    logo: logoData(id, 'AB'),
    variables: [
      { name: 'tenant', label: 'Your Acme Board tenant', type: 'subdomain', example: 'globex' },
    ],
    signOn: {
      oidc: {
        applicationType: 'web',
        redirectUris: [`https://\${org.tenant}.${host}/oidc/callback`],
        postLogoutRedirectUris: [`https://\${org.tenant}.${host}/`],
        initiateLoginUri: `https://\${org.tenant}.${host}/oidc/login`,
        grantTypes: ['authorization_code', 'refresh_token'],
        scopes: ['openid', 'profile', 'email', 'offline_access'],
        tokenEndpointAuthMethod: 'client_secret_basic',
        instructions: 'Set the issuer to ${lanyard.issuer} and the client ID to ${lanyard.clientId}.',
      },
    },
    contacts: { support: { email: 'support@acme.example.com' } },
  };
}
