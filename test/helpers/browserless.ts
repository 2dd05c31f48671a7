/**
 * A browser without a browser: plain `fetch` plus a tiny cookie jar, manual redirects and enough
 * HTML reading to find a form's fields. It behaves like a browser on one origin: it keeps the
 * cookies the server sets (dropping them on `Max-Age=0`), sends them back, turns a POST answered
 * with 301/302/303 into a GET, and stops at a redirect to another origin rather than following it.
 */

export interface SetCookie {
  readonly name: string;
  readonly value: string;
  /** Attribute names lower-cased; flag attributes (HttpOnly, Secure) map to `true`. */
  readonly attributes: ReadonlyMap<string, string | true>;
  readonly raw: string;
}

/** Parses one `Set-Cookie` header value. */
export function parseSetCookie(raw: string): SetCookie {
  const [pair = '', ...rest] = raw.split(';');
  const eq = pair.indexOf('=');
  if (eq === -1) throw new Error(`not a cookie: ${raw}`);
  const attributes = new Map<string, string | true>();
  for (const part of rest) {
    const trimmed = part.trim();
    if (!trimmed) continue;
    const at = trimmed.indexOf('=');
    if (at === -1) attributes.set(trimmed.toLowerCase(), true);
    else attributes.set(trimmed.slice(0, at).trim().toLowerCase(), trimmed.slice(at + 1).trim());
  }
  return { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), attributes, raw };
}

export interface Response {
  readonly status: number;
  readonly headers: Headers;
  /** The URL this response answered (absolute). */
  readonly url: string;
  readonly body: string;
  /** The cookies this one response set. */
  readonly setCookies: readonly SetCookie[];
  /** The Location header resolved against `url`, for redirects. */
  readonly location: string | undefined;
}

export interface Navigation {
  /** The last response: not a redirect, or a redirect to another origin (not followed). */
  readonly final: Response;
  /** Every response on the way, the first request's answer first. */
  readonly hops: readonly Response[];
}

const redirectStatuses = new Set([301, 302, 303, 307, 308]);

export class BrowserlessClient {
  readonly origin: string;
  private readonly jar = new Map<string, SetCookie>();

  constructor(baseUrl: string) {
    this.origin = new URL(baseUrl).origin;
  }

  /** The value the jar holds for a cookie, if any. */
  cookie(name: string): string | undefined {
    return this.jar.get(name)?.value;
  }

  /** Puts a cookie into the jar by hand (to replay an old one), or removes it with `undefined`. */
  setCookie(name: string, value: string | undefined): void {
    if (value === undefined) this.jar.delete(name);
    else this.jar.set(name, { name, value, attributes: new Map(), raw: `${name}=${value}` });
  }

  cookieHeader(): string {
    return [...this.jar.values()].map((c) => `${c.name}=${c.value}`).join('; ');
  }

  /** One request, no redirects followed; cookies are stored from the answer. */
  async request(pathOrUrl: string, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<Response> {
    const url = new URL(pathOrUrl, this.origin);
    if (url.origin !== this.origin) throw new Error(`refusing to leave ${this.origin} for ${url.href}`);
    const headers = new Headers(init.headers);
    headers.set('accept', 'text/html');
    const cookies = this.cookieHeader();
    if (cookies && !headers.has('cookie')) headers.set('cookie', cookies);
    let body: string | undefined;
    if (init.form) {
      headers.set('content-type', 'application/x-www-form-urlencoded');
      body = new URLSearchParams(init.form).toString();
    }
    const response = await fetch(url, { method: init.method ?? (init.form ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
    const text = await response.text();
    const setCookies = response.headers.getSetCookie().map(parseSetCookie);
    for (const cookie of setCookies) {
      const maxAge = cookie.attributes.get('max-age');
      if (typeof maxAge === 'string' && Number(maxAge) <= 0) this.jar.delete(cookie.name);
      else this.jar.set(cookie.name, cookie);
    }
    const location = response.headers.get('location');
    return {
      status: response.status,
      headers: response.headers,
      url: url.href,
      body: text,
      setCookies,
      location: location === null ? undefined : new URL(location, url).href,
    };
  }

  /** A request and the redirects after it, as a browser would follow them on this origin. */
  async navigate(pathOrUrl: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Navigation> {
    const hops: Response[] = [];
    let response = await this.request(pathOrUrl, init);
    hops.push(response);
    while (redirectStatuses.has(response.status) && response.location && new URL(response.location).origin === this.origin) {
      if (hops.length > 10) throw new Error(`too many redirects from ${pathOrUrl}`);
      const keepMethod = response.status === 307 || response.status === 308;
      response = await this.request(response.location, keepMethod ? init : {});
      hops.push(response);
    }
    return { final: response, hops };
  }

  get(pathOrUrl: string): Promise<Navigation> {
    return this.navigate(pathOrUrl);
  }

  /**
   * Submits the first POST form of a page the way a browser does: every named input with its
   * value (hidden fields included), overridden by `fields`, to the form's action.
   */
  submit(page: Pick<Response, 'body' | 'url'>, fields: Record<string, string>, options: { action?: string } = {}): Promise<Navigation> {
    const form = findForms(page.body).find((f) => f.method === 'post' && (!options.action || f.action === options.action));
    if (!form) throw new Error(`no POST form${options.action ? ` to ${options.action}` : ''} on ${page.url}`);
    return this.navigate(new URL(form.action || page.url, page.url).href, { method: 'POST', form: { ...form.fields, ...fields } });
  }
}

/** Reverses the escaping of `web/signin/html.ts` (numeric references) and the common named ones. */
export function decodeEntities(text: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return String.fromCodePoint(code);
    }
    return named[ref.toLowerCase()] ?? whole;
  });
}

function attributesOf(tag: string): Map<string, string> {
  const attributes = new Map<string, string>();
  const inner = tag.replace(/^<\s*[a-z]+/i, '').replace(/\/?>$/, '');
  for (const match of inner.matchAll(/([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) {
    attributes.set(match[1]!.toLowerCase(), decodeEntities(match[2] ?? match[3] ?? match[4] ?? ''));
  }
  return attributes;
}

export interface FormInfo {
  readonly action: string;
  readonly method: string;
  readonly fields: Record<string, string>;
  /** Names of the inputs, with their type, in document order. */
  readonly inputs: readonly { name: string; type: string }[];
}

/** The forms of a page and the named inputs in each (first value wins, as the server reads them). */
export function findForms(html: string): FormInfo[] {
  const forms: FormInfo[] = [];
  for (const match of html.matchAll(/<form\b[^>]*>([\s\S]*?)<\/form>/gi)) {
    const open = match[0].slice(0, match[0].indexOf('>') + 1);
    const attrs = attributesOf(open);
    const fields: Record<string, string> = {};
    const inputs: { name: string; type: string }[] = [];
    for (const input of match[1]!.matchAll(/<input\b[^>]*>/gi)) {
      const a = attributesOf(input[0]);
      const name = a.get('name');
      if (!name) continue;
      inputs.push({ name, type: a.get('type') ?? 'text' });
      if (!(name in fields)) fields[name] = a.get('value') ?? '';
    }
    forms.push({ action: attrs.get('action') ?? '', method: (attrs.get('method') ?? 'get').toLowerCase(), fields, inputs });
  }
  return forms;
}

/** The value of the hidden `csrf` field of the page's first form that has one. */
export function csrfOf(html: string): string {
  for (const form of findForms(html)) {
    const csrf = form.fields.csrf;
    if (csrf !== undefined && form.inputs.some((i) => i.name === 'csrf' && i.type === 'hidden')) return csrf;
  }
  throw new Error('the page has no hidden csrf field');
}

/** The page's visible text, tags removed and whitespace collapsed (for "the page says …" checks). */
export function textOf(html: string): string {
  return decodeEntities(html.replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ').trim();
}

/** The text of the `role="alert"` regions of a page. */
export function alertsOf(html: string): string[] {
  return [...html.matchAll(/<(\w+)\b[^>]*\brole="alert"[^>]*>([\s\S]*?)<\/\1>/gi)].map((m) => textOf(m[2]!));
}
