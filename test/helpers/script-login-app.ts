/**
 * An app whose sign-in only works in a browser running its script, as many single-page apps do:
 * `/login` is an empty shell whose script renders the form after load, in two steps (username →
 * Next → password → Sign in). Each step is a `fetch` with a JSON body; the script reads the
 * fields' values from its own state, kept up to date by input events (as React does), not from
 * the DOM. A plain form POST gets 405. Success sets a session cookie and `/home` says
 * "Signed in as …". Listens on a free loopback port; stopped with `close()`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { freePort } from './ports.ts';

export interface ScriptLoginApp {
  readonly origin: string;
  /** The sign-in page. */
  readonly loginUrl: string;
  /** Every POST the app received: path, media type, and the username when one was sent. */
  readonly posts: readonly { readonly path: string; readonly contentType: string; readonly username?: string }[];
  /** Usernames that signed in, in order. */
  readonly signIns: readonly string[];
  close(): Promise<void>;
}

const shell = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Script app: sign in</title></head>
<body><main id="app"><p>Loading…</p></main><script src="/login.js"></script></body></html>`;

// The page's own script: state lives in `values`, fed by input events only.
const script = `
const values = { username: '', password: '' };
const app = document.getElementById('app');
let stateToken = '';
function render(step, message) {
  const field = step === 'username'
    ? '<label for="username">Username</label> <input id="username" name="username" autocomplete="username">'
    : '<label for="password">Password</label> <input id="password" name="password" type="password" autocomplete="current-password">';
  const button = step === 'username' ? 'Next' : 'Sign in';
  app.innerHTML = '<form id="step" action="/login" method="post">' + field + ' <button type="submit" class="primary">' + button + '</button></form>'
    + (message ? '<p role="alert">' + message + '</p>' : '');
  const input = document.getElementById(step);
  input.addEventListener('input', () => { values[step] = input.value; });
  document.getElementById('step').addEventListener('submit', (event) => {
    event.preventDefault();
    step === 'username' ? identify() : signIn();
  });
}
async function post(path, body) {
  const response = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { ok: response.ok, json: await response.json().catch(() => ({})) };
}
async function identify() {
  const answer = await post('/api/identify', { username: values.username });
  if (!answer.ok) return render('username', 'Enter your username.');
  stateToken = answer.json.stateToken;
  // The password step appears a moment later, as a server round trip would make it.
  setTimeout(() => render('password'), 200);
}
async function signIn() {
  const answer = await post('/api/sign-in', { stateToken, password: values.password });
  if (!answer.ok) return render('username', 'Wrong username or password.');
  location.assign('/home');
}
setTimeout(() => render('username'), 300);
`;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (chunk: Buffer) => { body += chunk.toString(); });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

function cookieOf(req: IncomingMessage, name: string): string | undefined {
  const pair = (req.headers.cookie ?? '').split(/;\s*/).find((c) => c.startsWith(`${name}=`));
  return pair?.slice(name.length + 1);
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Starts the app with `accounts` (username → password). */
export async function startScriptLoginApp(accounts: Readonly<Record<string, string>>): Promise<ScriptLoginApp> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const posts: { path: string; contentType: string; username?: string }[] = [];
  const signIns: string[] = [];
  const pending = new Map<string, string>();
  const sessions = new Map<string, string>();

  const send = (res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...headers }).end(body);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', origin).pathname;
    if (req.method === 'GET' && path === '/login') return send(res, 200, 'text/html; charset=utf-8', shell);
    if (req.method === 'GET' && path === '/login.js') return send(res, 200, 'text/javascript', script);
    if (req.method === 'GET' && path === '/home') {
      const user = sessions.get(cookieOf(req, 'app_session') ?? '');
      if (!user) return send(res, 302, 'text/plain', 'sign in first', { location: '/login' });
      return send(res, 200, 'text/html; charset=utf-8', `<!doctype html><title>Script app</title><h1>Signed in as ${escape(user)}</h1>`);
    }
    if (req.method !== 'POST') return send(res, 404, 'text/plain', 'not found');
    const contentType = req.headers['content-type'] ?? '';
    const raw = await readBody(req);
    let body: Record<string, unknown> = {};
    try {
      body = contentType.startsWith('application/json') ? JSON.parse(raw) as Record<string, unknown> : {};
    } catch {
      body = {};
    }
    posts.push({ path, contentType, ...(typeof body.username === 'string' ? { username: body.username } : {}) });
    if (!contentType.startsWith('application/json')) return send(res, 405, 'text/plain', 'This sign-in needs JavaScript: it does not take form posts.');
    if (path === '/api/identify' && typeof body.username === 'string' && body.username) {
      const token = randomBytes(16).toString('hex');
      pending.set(token, body.username);
      return send(res, 200, 'application/json', JSON.stringify({ stateToken: token }));
    }
    if (path === '/api/sign-in' && typeof body.stateToken === 'string') {
      const username = pending.get(body.stateToken);
      pending.delete(body.stateToken);
      if (username === undefined || accounts[username] === undefined || accounts[username] !== body.password) {
        return send(res, 401, 'application/json', JSON.stringify({ error: 'wrong username or password' }));
      }
      const session = randomBytes(16).toString('hex');
      sessions.set(session, username);
      signIns.push(username);
      return send(res, 200, 'application/json', '{}', { 'set-cookie': `app_session=${session}; Path=/; HttpOnly; SameSite=Lax` });
    }
    return send(res, 400, 'application/json', JSON.stringify({ error: 'bad request' }));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => send(res, 500, 'text/plain', 'error'));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    origin,
    loginUrl: `${origin}/login`,
    posts,
    signIns,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
