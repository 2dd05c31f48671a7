/** The shapes of the API answers the application pages read (only the fields they use). */
export interface App {
  readonly id: string;
  readonly name?: string;
  readonly label: string;
  readonly status: string;
  readonly signOnMode: string;
  readonly created?: string;
  readonly credentials?: {
    readonly scheme?: string;
    readonly userName?: string;
    readonly oauthClient?: { readonly client_id?: string; readonly client_secret?: string; readonly token_endpoint_auth_method?: string };
  };
  readonly settings?: {
    readonly app?: Record<string, unknown>;
    readonly signOn?: Record<string, unknown>;
    readonly oauthClient?: { readonly redirect_uris?: string[]; readonly application_type?: string; readonly grant_types?: string[] };
  };
  readonly _links?: Record<string, { href: string } | undefined>;
}

export interface AppUser {
  readonly id: string;
  readonly scope?: string;
  readonly status?: string;
  readonly credentials?: { readonly userName?: string };
  readonly _links?: { readonly user?: { readonly href: string } };
}

export interface AppGroup { readonly id: string; readonly priority?: number }

export interface User { readonly id: string; readonly status: string; readonly profile: { login: string; firstName?: string; lastName?: string; email?: string } }
export interface Group { readonly id: string; readonly profile: { name: string; description?: string } }

export interface CatalogVariable { readonly name: string; readonly label?: string; readonly description?: string; readonly example?: string; readonly pattern?: string }

export interface CatalogEntry {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly vendor?: { name?: string };
  readonly category?: string;
  readonly description?: string;
  readonly tier?: string;
  readonly signOnModes: string[];
  readonly variables?: CatalogVariable[];
  readonly instructions?: Record<string, string | null>;
  readonly provisioning?: { scim?: unknown; instructions?: string } | null;
  readonly docsUrl?: string | null;
}

/** Okta's sign-on modes, as people read them. */
export const modeLabels: Record<string, string> = {
  OPENID_CONNECT: 'OpenID Connect', SAML_2_0: 'SAML 2.0', WS_FEDERATION: 'WS-Federation', BROWSER_PLUGIN: 'Secure web authentication (SWA)',
  AUTO_LOGIN: 'Secure web authentication (auto login)', BOOKMARK: 'Bookmark', SECURE_PASSWORD_STORE: 'Secure password store', BASIC_AUTH: 'Basic authentication',
};

export const modeLabel = (mode: string) => modeLabels[mode] ?? mode;

/** SWA credential schemes: who sets the user name and the password. */
export const swaSchemes = [
  { value: 'EDIT_USERNAME_AND_PASSWORD', label: 'Users set their user name and password' },
  { value: 'ADMIN_SETS_CREDENTIALS', label: 'Administrators set user name and password' },
  { value: 'EDIT_PASSWORD_ONLY', label: 'Administrators set the user name, users set the password' },
  { value: 'EDIT_USERNAME_ONLY', label: 'Users set the user name, administrators set the password' },
  { value: 'SHARED_USERNAME_AND_PASSWORD', label: 'Everyone signs in with one shared account' },
] as const;

/** Which half of an SWA app user's credentials administrators set, by the app's scheme. */
export function adminSets(scheme: string | undefined): { userName: boolean; password: boolean } {
  switch (scheme) {
    case 'ADMIN_SETS_CREDENTIALS': return { userName: true, password: true };
    case 'EDIT_PASSWORD_ONLY': return { userName: true, password: false };
    case 'EDIT_USERNAME_ONLY': return { userName: false, password: true };
    default: return { userName: false, password: false };
  }
}

export const isSwa = (mode: string) => mode === 'BROWSER_PLUGIN' || mode === 'AUTO_LOGIN';
