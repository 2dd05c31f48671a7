/**
 * A web app that signs people in only with a form, as the apps SWA is for: `POST /login` with the
 * configured field names checks the user name and password (and any further required fields)
 * and answers "Signed in as …" with a session cookie; anything wrong is a 401 page. Koa on a free
 * loopback port; the test stops it with `close()`.
 */
import Koa from 'koa';
import type { Server } from 'node:http';
import { freePort } from './ports.ts';

export interface FormLoginAccount {
  readonly userName: string;
  readonly password: string;
}

export interface FormLoginOptions {
  readonly accounts: readonly FormLoginAccount[];
  /** Form field names. */
  readonly userField?: string;
  readonly passwordField?: string;
  /** More fields the form must carry, with their values (e.g. a company id). */
  readonly requiredFields?: Readonly<Record<string, string>>;
}

export interface FormLoginApp {
  readonly url: string;
  readonly origin: string;
  /** The form posts of every sign-in attempt, in order (field names only: no values are kept). */
  readonly attempts: { fields: string[]; ok: boolean }[];
  close(): Promise<void>;
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function readBody(ctx: Koa.Context): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

export async function startFormLoginApp(options: FormLoginOptions): Promise<FormLoginApp> {
  const userField = options.userField ?? 'username';
  const passwordField = options.passwordField ?? 'password';
  const attempts: { fields: string[]; ok: boolean }[] = [];
  const app = new Koa();
  app.use(async (ctx) => {
    if (ctx.method === 'GET' && ctx.path === '/login') {
      ctx.type = 'text/html';
      ctx.body = `<!doctype html><title>Sign in</title><form method="post" action="/login"><input name="${userField}"><input type="password" name="${passwordField}"><button>Sign in</button></form>`;
      return;
    }
    if (ctx.method === 'POST' && ctx.path === '/login') {
      const form = await readBody(ctx);
      const account = options.accounts.find((a) => a.userName === form.get(userField) && a.password === form.get(passwordField));
      const extrasOk = Object.entries(options.requiredFields ?? {}).every(([name, value]) => form.get(name) === value);
      const ok = Boolean(account) && extrasOk;
      attempts.push({ fields: [...form.keys()], ok });
      ctx.type = 'text/html';
      if (!ok) {
        ctx.status = 401;
        ctx.body = '<!doctype html><title>Sign-in failed</title><h1>Wrong user name or password</h1>';
        return;
      }
      ctx.cookies.set('app_session', Buffer.from(account!.userName).toString('base64url'), { httpOnly: true, sameSite: 'lax' });
      ctx.body = `<!doctype html><title>Welcome</title><h1>Signed in as ${escape(account!.userName)}</h1>`;
      return;
    }
    ctx.status = 404;
    ctx.body = 'not found';
  });
  const port = await freePort();
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/login`,
    origin,
    attempts,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
