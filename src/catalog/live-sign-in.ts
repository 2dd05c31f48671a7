/**
 * The live sign-in check: Lanyard plays a browser, as the vendor's test account, through a real
 * sign-in to the vendor's app on its test instance — starting where a person would start (the
 * app's sign-in URL, or Lanyard's app link for IdP-initiated sign-in), signing in on Lanyard's
 * page, carrying the SAML Response or WS-Federation token to the app, or following the OpenID
 * Connect redirect with its code — and passes when the app accepts it (it answers below 400
 * after Lanyard handed it the credential). Only Lanyard's own pages are read as HTML; the app's
 * answers are judged by status alone.
 */
import type { OutboundHttp, OutboundResponse } from '../kernel/outbound-http.ts';

export interface LiveSignInInput {
  readonly http: OutboundHttp;
  /** Lanyard's origin for this org: its pages are the only ones read. */
  readonly lanyardOrigin: string;
  readonly startUrl: string;
  readonly username: string;
  readonly password: string;
}

export interface LiveSignInResult {
  readonly passed: boolean;
  readonly detail: string;
  /** Each step, `METHOD url → status`, query strings cut, for the report. */
  readonly steps: readonly string[];
}

const maxSteps = 25;

function decodeEntities(text: string): string {
  return text.replace(/&quot;/g, '"').replace(/&#39;|&#x27;/g, '\'').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(tag);
  return match ? decodeEntities(match[1]!) : undefined;
}

/** The first form of a page Lanyard rendered: its action and the values of its named inputs. */
function readForm(html: string): { action: string; method: string; fields: Record<string, string> } | undefined {
  const form = /<form\b[^>]*>/i.exec(html);
  if (!form) return undefined;
  const end = html.indexOf('</form>', form.index);
  const body = html.slice(form.index, end === -1 ? undefined : end);
  const fields: Record<string, string> = {};
  for (const input of body.matchAll(/<input\b[^>]*>/gi)) {
    const name = attribute(input[0], 'name');
    if (name) fields[name] = attribute(input[0], 'value') ?? '';
  }
  return { action: attribute(form[0], 'action') ?? '', method: (attribute(form[0], 'method') ?? 'get').toLowerCase(), fields };
}

const shown = (url: string) => {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
};

/** Cookies per origin, as a browser keeps them (enough for sign-in flows). */
class CookieJar {
  private readonly jars = new Map<string, Map<string, string>>();

  store(url: string, response: OutboundResponse): void {
    const header = response.headers['set-cookie'];
    if (!header) return;
    const jar = this.jars.get(new URL(url).host) ?? new Map<string, string>();
    for (const raw of header) {
      const [pair = ''] = raw.split(';');
      const at = pair.indexOf('=');
      if (at <= 0) continue;
      const name = pair.slice(0, at).trim();
      if (/;\s*max-age=0/i.test(raw) || /;\s*expires=Thu, 01 Jan 1970/i.test(raw)) jar.delete(name);
      else jar.set(name, pair.slice(at + 1).trim());
    }
    this.jars.set(new URL(url).host, jar);
  }

  header(url: string): string | undefined {
    const jar = this.jars.get(new URL(url).host);
    return jar && jar.size > 0 ? [...jar].map(([k, v]) => `${k}=${v}`).join('; ') : undefined;
  }
}

export async function liveSignIn(input: LiveSignInInput): Promise<LiveSignInResult> {
  const jar = new CookieJar();
  const steps: string[] = [];
  const lanyard = new URL(input.lanyardOrigin).origin;
  let url = input.startUrl;
  let method = 'GET';
  let body: string | undefined;
  let handedOver = false;
  let signedIn = false;
  const fail = (detail: string): LiveSignInResult => ({ passed: false, detail, steps });

  for (let step = 0; step < maxSteps; step++) {
    const onLanyard = new URL(url).origin === lanyard;
    const headers: Record<string, string> = { accept: 'text/html' };
    const cookie = jar.header(url);
    if (cookie) headers.cookie = cookie;
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    let response: OutboundResponse;
    try {
      response = await input.http(url, { method, headers, ...(body !== undefined ? { body } : {}) });
    } catch (error) {
      return fail(`${method} ${shown(url)} failed: ${(error as Error).message}`);
    }
    steps.push(`${method} ${shown(url)} → ${response.status}`);
    jar.store(url, response);
    const location = response.headers.location;
    if (response.status >= 300 && response.status < 400 && location) {
      const next = new URL(location, url).toString();
      // The credential reaches the app as a redirect with it (OpenID Connect's code).
      if (onLanyard && new URL(next).origin !== lanyard && signedIn) handedOver = true;
      url = next;
      method = 'GET';
      body = undefined;
      continue;
    }
    if (!onLanyard) {
      if (response.status >= 400) return fail(`the app answered ${response.status} at ${shown(url)}${handedOver ? ' after Lanyard signed the test account in' : ''}`);
      if (handedOver) return { passed: true, detail: `the app accepted the sign-in: ${shown(url)} answered ${response.status}`, steps };
      return fail(`the app answered ${response.status} at ${shown(url)} without sending the browser to Lanyard to sign in`);
    }
    // A refused sign-in shows the form again, answered 401.
    const form = response.status === 200 || response.status === 401 ? readForm(response.body) : undefined;
    if (form && 'password' in form.fields) {
      if (signedIn) return fail('Lanyard did not accept the test account\'s username and password');
      signedIn = true;
      url = new URL(form.action || url, url).toString();
      method = 'POST';
      body = new URLSearchParams({ ...form.fields, username: input.username, password: input.password }).toString();
      continue;
    }
    if (form && form.method === 'post' && form.action) {
      // Lanyard's page that posts a SAML Response or WS-Federation token on to the app.
      const target = new URL(form.action, url).toString();
      if (new URL(target).origin !== lanyard) handedOver = true;
      url = target;
      method = 'POST';
      body = new URLSearchParams(form.fields).toString();
      continue;
    }
    const title = /<h1[^>]*>([^<]*)<\/h1>/i.exec(response.body)?.[1] ?? /<title>([^<]*)<\/title>/i.exec(response.body)?.[1] ?? '';
    return fail(`Lanyard stopped at ${shown(url)} (${response.status}${title ? `: ${decodeEntities(title.trim())}` : ''})`);
  }
  return fail(`the sign-in took more than ${maxSteps} steps`);
}
