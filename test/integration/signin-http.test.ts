/**
 * The server-rendered sign-in pages over real HTTP, driven like a browser without one: `fetch`, a
 * cookie jar, manual redirects and the forms' own fields. Sign-in and its failures, CSRF, lockout,
 * sign-out, return paths, expired passwords, activation and reset links, the headers every page
 * carries, and what the system log keeps.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/app/logger.ts';
import { api, startLanyard, type TestLanyard } from '../helpers/lanyard.ts';
import { alertsOf, BrowserlessClient, csrfOf, findForms, textOf, type Response } from '../helpers/browserless.ts';

let t: TestLanyard;
let call: ReturnType<typeof api>;
/** Every line the server's application logger wrote. */
const appLog: string[] = [];

const genericMessage = 'Unable to sign in. Check your username and password.';
const password = 'Tr0ub4dor&3-horse';
/** Every password this file types anywhere, to look for in the logs at the end. */
const typedPasswords = new Set<string>([password]);

let serial = 0;

interface CreatedUser {
  readonly id: string;
  readonly login: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly status: string;
}

/** A user through the API: ACTIVE with `password`, or without a password (STAGED when `activate` is false). */
async function createUser(options: { password?: string | null; activate?: boolean } = {}): Promise<CreatedUser> {
  serial += 1;
  const login = `signin${serial}@example.com`;
  const profile = { firstName: 'Grace', lastName: `Hopper${serial}`, email: login, login };
  const pw = options.password === undefined ? password : options.password;
  const body = pw === null ? { profile } : { profile, credentials: { password: { value: pw } } };
  const created = await call(`/api/v1/users${options.activate === false ? '?activate=false' : ''}`, { method: 'POST', json: body });
  expect(created.status, created.text).toBe(200);
  return { id: created.json.id, login, firstName: profile.firstName, lastName: profile.lastName, status: created.json.status };
}

async function statusOf(userId: string): Promise<string> {
  const user = await call(`/api/v1/users/${userId}`);
  expect(user.status).toBe(200);
  return user.json.status;
}

/** Opens /login in `client` and submits the form with these credentials. */
async function signIn(client: BrowserlessClient, login: string, pw: string, path = '/login') {
  typedPasswords.add(pw);
  const page = await client.get(path);
  expect(page.final.status).toBe(200);
  return client.submit(page.final, { username: login, password: pw });
}

function sessionCookieOf(response: Response) {
  return response.setCookies.find((c) => c.name === 'lanyard_sid');
}

/** Asserts `client` is signed in as `user`: `/` answers with the signed-in page naming the login. */
async function expectSignedIn(client: BrowserlessClient, user: CreatedUser): Promise<Response> {
  const home = await client.get('/');
  expect(home.hops).toHaveLength(1);
  expect(home.final.status).toBe(200);
  const text = textOf(home.final.body);
  expect(text).toContain(`Welcome, ${user.firstName} ${user.lastName}`);
  expect(text).toContain(`Signed in as ${user.login}`);
  return home.final;
}

/** Asserts `client` has no session: `/` sends it to the sign-in page. */
async function expectSignedOut(client: BrowserlessClient): Promise<void> {
  const home = await client.request('/');
  expect(home.status).toBe(302);
  expect(home.location).toBe(`${client.origin}/login`);
}

beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      appLog.push(String(chunk));
      done();
    },
  });
  t = await startLanyard({ logger: createLogger('debug', sink) });
  call = api(t);
});
afterAll(async () => t?.close());

describe('sign-in page', () => {
  it('GET /login renders a labelled form with a hidden csrf field and sets lanyard_csrf', async () => {
    const client = new BrowserlessClient(t.url);
    const { final: page, hops } = await client.get('/login');
    expect(hops).toHaveLength(1);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);

    const [form, ...others] = findForms(page.body);
    expect(others).toHaveLength(0);
    expect(form).toMatchObject({ action: '/login', method: 'post' });
    expect(form!.inputs).toEqual([
      { name: 'csrf', type: 'hidden' },
      { name: 'username', type: 'text' },
      { name: 'password', type: 'password' },
    ]);
    expect(page.body).toContain('<label for="username">Username</label>');
    expect(page.body).toContain('<label for="password">Password</label>');
    expect(alertsOf(page.body)).toEqual([]);

    const csrf = csrfOf(page.body);
    expect(csrf).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    const cookie = page.setCookies.find((c) => c.name === 'lanyard_csrf');
    expect(cookie?.value).toBe(csrf);
    expect(cookie?.attributes.get('httponly')).toBe(true);
    expect(cookie?.attributes.get('secure')).toBe(true);
    expect(cookie?.attributes.get('samesite')).toBe('None');
    expect(cookie?.attributes.get('path')).toBe('/');
    expect(cookie?.attributes.has('domain')).toBe(false);
    expect(page.setCookies.some((c) => c.name === 'lanyard_sid')).toBe(false);

    // The token stays for the browser's visit: a second visit reuses it and sets nothing.
    const again = await client.request('/login');
    expect(csrfOf(again.body)).toBe(csrf);
    expect(again.setCookies).toEqual([]);

    // Another browser gets another token.
    const other = await new BrowserlessClient(t.url).request('/login');
    expect(csrfOf(other.body)).not.toBe(csrf);
  });

  it('signs in: 302 to / with an HttpOnly, SameSite=None, Secure, host-only lanyard_sid; / shows the login', async () => {
    const user = await createUser();
    const client = new BrowserlessClient(t.url);
    const { hops } = await signIn(client, user.login, password);

    const answer = hops[0]!;
    expect(answer.status).toBe(302);
    expect(answer.headers.get('location')).toBe('/');
    const sid = sessionCookieOf(answer);
    expect(sid, 'a lanyard_sid cookie').toBeDefined();
    expect(sid!.value).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(sid!.attributes.get('httponly')).toBe(true);
    expect(sid!.attributes.get('samesite')).toBe('None');
    expect(sid!.attributes.get('secure')).toBe(true);
    expect(sid!.attributes.get('path')).toBe('/');
    expect(sid!.attributes.has('domain')).toBe(false);
    expect(sid!.value).not.toBe(client.cookie('lanyard_csrf'));

    // The redirect lands on the signed-in page.
    expect(hops).toHaveLength(2);
    expect(hops[1]!.url).toBe(`${t.url}/`);
    const home = await expectSignedIn(client, user);
    expect(findForms(home.body)).toEqual(expect.arrayContaining([expect.objectContaining({ action: '/logout', method: 'post' })]));

    // Signed in, /login goes straight on.
    const login = await client.request('/login');
    expect(login.status).toBe(302);
    expect(login.location).toBe(`${t.url}/`);

    // The session belongs to this browser only: another browser is not signed in.
    await expectSignedOut(new BrowserlessClient(t.url));
  });

  it('a wrong password answers 401 with the generic message and starts no session', async () => {
    const user = await createUser();
    const client = new BrowserlessClient(t.url);
    const { final, hops } = await signIn(client, user.login, 'Wrong-Password-123');
    expect(hops).toHaveLength(1);
    expect(final.status).toBe(401);
    expect(alertsOf(final.body)).toEqual([genericMessage]);
    expect(sessionCookieOf(final)).toBeUndefined();
    expect(client.cookie('lanyard_sid')).toBeUndefined();
    // The form comes back with the username kept and the password not.
    const form = findForms(final.body)[0]!;
    expect(form.fields.username).toBe(user.login);
    expect(form.fields.password).toBe('');
    expect(final.body).not.toContain('Wrong-Password-123');
    await expectSignedOut(client);

    // The same browser can still sign in with the right password.
    const retry = await client.submit(final, { password });
    expect(retry.hops[0]!.status).toBe(302);
    await expectSignedIn(client, user);
  });

  it('an unknown login gets the same page as a wrong password, apart from the echoed username', async () => {
    const user = await createUser();
    const withoutPassword = await createUser({ password: null });
    const client = new BrowserlessClient(t.url);
    const unknownLogin = 'nobody-here@example.com';

    const wrong = (await signIn(client, user.login, 'Wrong-Password-123')).final;
    const unknown = (await signIn(client, unknownLogin, 'Wrong-Password-123')).final;
    const noPassword = (await signIn(client, withoutPassword.login, 'Wrong-Password-123')).final;

    for (const page of [unknown, noPassword]) {
      expect(page.status).toBe(401);
      expect(alertsOf(page.body)).toEqual([genericMessage]);
    }
    const neutral = (page: Response, login: string) => page.body.split(login).join('LOGIN');
    expect(neutral(unknown, unknownLogin)).toBe(neutral(wrong, user.login));
    expect(neutral(noPassword, withoutPassword.login)).toBe(neutral(wrong, user.login));
    expect(client.cookie('lanyard_sid')).toBeUndefined();
  });

  it('echoes the username escaped', async () => {
    const client = new BrowserlessClient(t.url);
    const login = '"><script>alert(1)</script>';
    const { final } = await signIn(client, login, 'Wrong-Password-123');
    expect(final.status).toBe(401);
    expect(final.body).not.toContain('<script>');
    expect(findForms(final.body)[0]!.fields.username).toBe(login);
  });
});

describe('CSRF', () => {
  it('refuses a sign-in with a missing or wrong csrf token, and starts no session', async () => {
    const user = await createUser();
    const client = new BrowserlessClient(t.url);
    const page = (await client.get('/login')).final;
    const csrf = csrfOf(page.body);

    const attempts: Record<string, string>[] = [
      { username: user.login, password },
      { username: user.login, password, csrf: '' },
      { username: user.login, password, csrf: `${csrf.slice(0, -1)}${csrf.endsWith('A') ? 'B' : 'A'}` },
      { username: user.login, password, csrf: 'x' },
    ];
    for (const form of attempts) {
      const answer = await client.request('/login', { method: 'POST', form });
      expect(answer.status, JSON.stringify(form.csrf)).toBe(403);
      expect(answer.location).toBeUndefined();
      expect(sessionCookieOf(answer)).toBeUndefined();
      expect(textOf(answer.body)).toContain('Invalid session');
    }
    expect(client.cookie('lanyard_sid')).toBeUndefined();
    await expectSignedOut(client);

    // A forged cross-site POST: the right-looking field but not this browser's cookie.
    const victim = new BrowserlessClient(t.url);
    const forged = await victim.request('/login', { method: 'POST', form: { csrf, username: user.login, password } });
    expect(forged.status).toBe(403);
    expect(sessionCookieOf(forged)).toBeUndefined();

    // The refusals did not count as failed sign-ins or lock anything; the real form still works.
    const ok = await client.submit(page, { username: user.login, password });
    expect(ok.hops[0]!.status).toBe(302);
    await expectSignedIn(client, user);
  });

  it('refuses link and password-change forms without the token too', async () => {
    const user = await createUser({ password: null, activate: false });
    const link = await call(`/api/v1/users/${user.id}/lifecycle/activate?sendEmail=false`, { method: 'POST' });
    expect(link.status).toBe(200);
    const client = new BrowserlessClient(t.url);
    const page = (await client.get(link.json.activationUrl)).final;
    expect(page.status).toBe(200);
    const newPassword = 'Fresh-Start-2024!';
    typedPasswords.add(newPassword);
    const refused = await client.request(link.json.activationUrl, { method: 'POST', form: { newPassword, confirmPassword: newPassword, csrf: 'nope' } });
    expect(refused.status).toBe(403);
    expect(sessionCookieOf(refused)).toBeUndefined();
    const changeRefused = await client.request('/login/change-password', { method: 'POST', form: { newPassword, confirmPassword: newPassword } });
    expect(changeRefused.status).toBe(403);
    // The link was not used up by the refusals.
    expect(await statusOf(user.id)).toBe('PROVISIONED');
    expect((await client.request(link.json.activationUrl)).status).toBe(200);
    // The refusals were logged, by route: the still-valid token in the path is not in the log.
    const refusals = appLog.filter((line) => line.includes('"request refused"') && line.includes('auth.invalid_session'));
    expect(refusals.some((line) => line.includes('"path":"/welcome/:token"'))).toBe(true);
    expect(appLog.join('')).not.toContain(link.json.activationToken);
  });
});

describe('lockout', () => {
  it('locks after maxAttempts wrong passwords; then even the right one fails generically until an admin unlocks', async () => {
    const lowered = await call('/api/v1/org/settings', { method: 'PUT', json: { lockout: { maxAttempts: 3, autoUnlockMinutes: null } } });
    expect(lowered.status, lowered.text).toBe(200);
    expect(lowered.json.lockout).toEqual({ maxAttempts: 3, autoUnlockMinutes: null, showLockoutFailures: false });
    try {
      const user = await createUser();
      // A browser signed in before the lock loses its session when the account locks.
      const earlier = new BrowserlessClient(t.url);
      expect((await signIn(earlier, user.login, password)).hops[0]!.status).toBe(302);
      await expectSignedIn(earlier, user);

      const client = new BrowserlessClient(t.url);
      let lastFailure: Response | undefined;
      for (let attempt = 1; attempt <= 3; attempt++) {
        expect(await statusOf(user.id), `before attempt ${attempt}`).toBe('ACTIVE');
        lastFailure = (await signIn(client, user.login, `Wrong-Password-${attempt}x`)).final;
        expect(lastFailure.status).toBe(401);
        expect(alertsOf(lastFailure.body)).toEqual([genericMessage]);
      }
      expect(await statusOf(user.id)).toBe('LOCKED_OUT');
      await expectSignedOut(earlier);

      // The right password now fails exactly like a wrong one.
      const locked = (await signIn(client, user.login, password)).final;
      expect(locked.status).toBe(401);
      expect(locked.body).toBe(lastFailure!.body);
      expect(sessionCookieOf(locked)).toBeUndefined();
      expect(client.cookie('lanyard_sid')).toBeUndefined();

      const unlock = await call(`/api/v1/users/${user.id}/lifecycle/unlock`, { method: 'POST' });
      expect(unlock.status, unlock.text).toBe(200);
      expect(await statusOf(user.id)).toBe('ACTIVE');

      const after = await signIn(client, user.login, password);
      expect(after.hops[0]!.status).toBe(302);
      await expectSignedIn(client, user);

      // The counter started again from zero: two more mistakes do not lock.
      const other = new BrowserlessClient(t.url);
      for (let attempt = 1; attempt <= 2; attempt++) {
        expect((await signIn(other, user.login, `Wrong-Password-${attempt}y`)).final.status).toBe(401);
      }
      expect(await statusOf(user.id)).toBe('ACTIVE');

      const events = await call(`/api/v1/logs?filter=${encodeURIComponent('eventType eq "user.account.lock"')}`);
      expect(events.status).toBe(200);
      expect(events.json.filter((e: { target: { id: string }[] }) => e.target.some((x) => x.id === user.id))).toHaveLength(1);
    } finally {
      const restored = await call('/api/v1/org/settings', { method: 'PUT', json: { lockout: { maxAttempts: 10, autoUnlockMinutes: null } } });
      expect(restored.status).toBe(200);
    }
  });
});

describe('sign-out', () => {
  it('POST /logout with the session csrf ends the session; the old cookie no longer works', async () => {
    const user = await createUser();
    const client = new BrowserlessClient(t.url);
    await signIn(client, user.login, password);
    const home = await expectSignedIn(client, user);
    const oldSid = client.cookie('lanyard_sid')!;
    const preSessionCsrf = client.cookie('lanyard_csrf')!;
    const sessionCsrf = csrfOf(home.body);
    expect(sessionCsrf).not.toBe(preSessionCsrf);

    // GET /logout asks first and changes nothing.
    const confirm = await client.request('/logout');
    expect(confirm.status).toBe(200);
    expect(csrfOf(confirm.body)).toBe(sessionCsrf);
    await expectSignedIn(client, user);

    // Neither no token nor the pre-session token ends the session (a forged sign-out).
    for (const form of [{}, { csrf: preSessionCsrf }, { csrf: 'wrong' }] as Record<string, string>[]) {
      const refused = await client.request('/logout', { method: 'POST', form });
      expect(refused.status).toBe(403);
      expect(refused.setCookies).toEqual([]);
    }
    await expectSignedIn(client, user);

    const out = await client.submit(home, {}, { action: '/logout' });
    expect(out.hops).toHaveLength(1);
    expect(out.final.status).toBe(200);
    expect(textOf(out.final.body)).toContain('You have signed out');
    const cleared = sessionCookieOf(out.final);
    expect(cleared?.value).toBe('');
    expect(cleared?.attributes.get('max-age')).toBe('0');
    expect(cleared?.attributes.get('path')).toBe('/');
    expect(client.cookie('lanyard_sid')).toBeUndefined();
    await expectSignedOut(client);

    // Replaying the old cookie does not bring the session back.
    const replay = new BrowserlessClient(t.url);
    replay.setCookie('lanyard_sid', oldSid);
    await expectSignedOut(replay);
    expect((await replay.request('/logout')).status).toBe(302);

    const ended = await call(`/api/v1/logs?filter=${encodeURIComponent('eventType eq "user.session.end"')}`);
    expect(ended.json.some((e: { target: { id: string }[] }) => e.target.some((x) => x.id === user.id))).toBe(true);
  });
});

describe('fromURI', () => {
  it('returns to a same-site path after sign-in', async () => {
    const user = await createUser();
    const client = new BrowserlessClient(t.url);
    const page = (await client.get('/login?fromURI=%2Fapp%2Fhome%3Ftab%3D2')).final;
    expect(findForms(page.body)[0]!.fields.fromURI).toBe('/app/home?tab=2');
    const { hops } = await client.submit(page, { username: user.login, password });
    expect(hops[0]!.status).toBe(302);
    expect(hops[0]!.headers.get('location')).toBe('/app/home?tab=2');

    // Signed in already, /login?fromURI= goes there at once.
    const direct = await client.request('/login?fromURI=%2Fx');
    expect(direct.status).toBe(302);
    expect(direct.headers.get('location')).toBe('/x');
  });

  it('drops a repeated fromURI rather than joining its values into //evil.example', async () => {
    const user = await createUser();
    const client = new BrowserlessClient(t.url);
    const page = (await client.get('/login?fromURI=%2F&fromURI=%2Fevil.example')).final;
    expect(page.status).toBe(200);
    expect(findForms(page.body)[0]!.fields.fromURI).toBeUndefined();
    expect(page.body).not.toContain('evil.example');
    expect((await client.submit(page, { username: user.login, password })).hops[0]!.headers.get('location')).toBe('/');
    const signedIn = await client.request('/login?fromURI=%2F&fromURI=%2Fevil.example');
    expect(signedIn.headers.get('location')).toBe('/');
  });

  it.each([
    ['//evil.example'],
    ['//evil.example/path'],
    ['https://evil.example'],
    ['https://evil.example/login'],
    ['/\\evil.example'],
    ['/\\/evil.example'],
    ['\\\\evil.example'],
    ['/\t/evil.example'],
    ['javascript:alert(1)'],
    ['evil.example'],
  ])('ignores %j and goes to /', async (fromURI) => {
    const user = await createUser();
    const client = new BrowserlessClient(t.url);
    const page = (await client.get(`/login?fromURI=${encodeURIComponent(fromURI)}`)).final;
    expect(page.status).toBe(200);
    expect(findForms(page.body)[0]!.fields.fromURI).toBeUndefined();
    expect(page.body).not.toContain('evil.example');

    // Posting it directly (a crafted form) is ignored too.
    const answer = await client.request('/login', {
      method: 'POST', form: { csrf: csrfOf(page.body), username: user.login, password, fromURI },
    });
    expect(answer.status).toBe(302);
    expect(answer.headers.get('location')).toBe('/');

    const signedIn = await client.request(`/login?fromURI=${encodeURIComponent(fromURI)}`);
    expect(signedIn.status).toBe(302);
    expect(signedIn.headers.get('location')).toBe('/');
  });
});

describe('expired password', () => {
  it('shows the change-password form after the right password, refuses a weak one with the reason, signs in with a good one', async () => {
    const user = await createUser();
    const expired = await call(`/api/v1/users/${user.id}/lifecycle/expire_password`, { method: 'POST' });
    expect(expired.status, expired.text).toBe(200);
    expect(await statusOf(user.id)).toBe('PASSWORD_EXPIRED');

    const client = new BrowserlessClient(t.url);
    // A wrong password never reaches the change form.
    const wrong = (await signIn(client, user.login, 'Wrong-Password-123')).final;
    expect(wrong.status).toBe(401);
    expect(alertsOf(wrong.body)).toEqual([genericMessage]);

    const { final: change, hops } = await signIn(client, user.login, password);
    expect(hops).toHaveLength(1);
    expect(change.status).toBe(200);
    expect(sessionCookieOf(change)).toBeUndefined();
    expect(client.cookie('lanyard_sid')).toBeUndefined();
    expect(textOf(change.body)).toContain('Your password has expired');
    const form = findForms(change.body)[0]!;
    expect(form.action).toBe('/login/change-password');
    expect(form.fields.token).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(form.fields.username).toBe(user.login);
    expect(form.inputs.map((i) => i.name)).toEqual(expect.arrayContaining(['csrf', 'token', 'newPassword', 'confirmPassword']));
    expect(change.body).not.toContain(password);
    await expectSignedOut(client);

    const weak = (await client.submit(change, { newPassword: 'short', confirmPassword: 'short' })).final;
    typedPasswords.add('short');
    expect(weak.status).toBe(400);
    const [reason] = alertsOf(weak.body);
    expect(reason).toContain('Password requirements were not met');
    expect(reason).toContain('at least 8 characters');
    expect(reason).toContain('an uppercase letter');
    expect(client.cookie('lanyard_sid')).toBeUndefined();

    const mismatch = (await client.submit(weak, { newPassword: 'Brand-New-Pass-42', confirmPassword: 'Brand-New-Pass-43' })).final;
    expect(mismatch.status).toBe(400);
    expect(alertsOf(mismatch.body)).toEqual(['The passwords do not match.']);

    const reused = (await client.submit(mismatch, { newPassword: password, confirmPassword: password })).final;
    expect(reused.status).toBe(400);
    expect(alertsOf(reused.body)[0]).toContain('not one of your last');

    const newPassword = 'Brand-New-Pass-42';
    typedPasswords.add(newPassword);
    const done = await client.submit(reused, { newPassword, confirmPassword: newPassword });
    expect(done.hops[0]!.status).toBe(302);
    expect(done.hops[0]!.headers.get('location')).toBe('/');
    expect(sessionCookieOf(done.hops[0]!)).toBeDefined();
    await expectSignedIn(client, user);
    expect(await statusOf(user.id)).toBe('ACTIVE');

    // The form cannot be sent twice, the old password is gone and the new one works.
    const again = await client.request('/login/change-password', { method: 'POST', form: { ...findForms(reused.body)[0]!.fields, newPassword: 'Another-Pass-77', confirmPassword: 'Another-Pass-77' } });
    expect(again.status).toBe(410);
    expect((await signIn(new BrowserlessClient(t.url), user.login, password)).final.status).toBe(401);
    expect((await signIn(new BrowserlessClient(t.url), user.login, newPassword)).hops[0]!.status).toBe(302);
  });
});

describe('activation and reset links', () => {
  it('an activation link sets the first password, signs the user in, and cannot be used again', async () => {
    const user = await createUser({ password: null, activate: false });
    expect(user.status).toBe('STAGED');
    const link = await call(`/api/v1/users/${user.id}/lifecycle/activate?sendEmail=false`, { method: 'POST' });
    expect(link.status, link.text).toBe(200);
    const activationUrl: string = link.json.activationUrl;
    expect(activationUrl).toBe(`${t.url}/welcome/${link.json.activationToken}`);
    expect(await statusOf(user.id)).toBe('PROVISIONED');

    const client = new BrowserlessClient(t.url);
    const page = (await client.get(activationUrl)).final;
    expect(page.status).toBe(200);
    expect(textOf(page.body)).toContain('Activate your account');
    const form = findForms(page.body)[0]!;
    expect(form.action).toBe(new URL(activationUrl).pathname);
    expect(form.fields.username).toBe(user.login);
    expect(page.body).toContain('<label for="newPassword">New password</label>');
    expect(page.body).toContain('aria-describedby="requirements"');
    expect(client.cookie('lanyard_csrf')).toBe(csrfOf(page.body));
    // The hint lists every rule the default policy enforces.
    const requirements = [...page.body.matchAll(/<li>([^<]*)<\/li>/g)].map((m) => m[1]);
    expect(requirements).toEqual([
      'At least 8 characters', 'A lowercase letter', 'An uppercase letter', 'A number', 'No parts of your username',
      'Does not include your first name or last name', 'Not one of your last 4 passwords', 'Not a commonly used password',
    ]);

    // A rule from the list: the last name may not be part of the password.
    const withName = `${user.lastName}-Rocks-99`;
    typedPasswords.add(withName);
    const named = (await client.submit(page, { newPassword: withName, confirmPassword: withName })).final;
    expect(named.status).toBe(400);
    expect(alertsOf(named.body)[0]).toContain('does not include your last name');

    const weak = (await client.submit(named, { newPassword: 'password', confirmPassword: 'password' })).final;
    typedPasswords.add('password');
    expect(weak.status).toBe(400);
    expect(alertsOf(weak.body)[0]).toContain('Password requirements were not met');
    expect(alertsOf(weak.body)[0]).toContain('an uppercase letter');
    expect(await statusOf(user.id)).toBe('PROVISIONED');

    const newPassword = 'Welcome-Aboard-2025';
    typedPasswords.add(newPassword);
    const done = await client.submit(weak, { newPassword, confirmPassword: newPassword });
    expect(done.hops[0]!.status).toBe(302);
    expect(done.hops[0]!.headers.get('location')).toBe('/');
    await expectSignedIn(client, user);
    expect(await statusOf(user.id)).toBe('ACTIVE');

    const reuse = await client.request(activationUrl);
    expect(reuse.status).toBe(410);
    expect(textOf(reuse.body)).toContain('This link can no longer be used');
    const repost = await client.request(activationUrl, { method: 'POST', form: { csrf: client.cookie('lanyard_csrf')!, newPassword: 'Other-Pass-999', confirmPassword: 'Other-Pass-999' } });
    expect(repost.status).toBe(410);
    expect(sessionCookieOf(repost)).toBeUndefined();

    expect((await signIn(new BrowserlessClient(t.url), user.login, newPassword)).hops[0]!.status).toBe(302);
  });

  it('a reset link sets a new password, ends old sessions, signs the user in, and cannot be used again', async () => {
    const user = await createUser();
    const before = new BrowserlessClient(t.url);
    await signIn(before, user.login, password);
    await expectSignedIn(before, user);

    const link = await call(`/api/v1/users/${user.id}/lifecycle/reset_password?sendEmail=false`, { method: 'POST' });
    expect(link.status, link.text).toBe(200);
    const resetPasswordUrl: string = link.json.resetPasswordUrl;
    expect(resetPasswordUrl).toMatch(new RegExp(`^${t.url}/reset_password/[A-Za-z0-9]{20}$`));
    expect(await statusOf(user.id)).toBe('RECOVERY');
    await expectSignedOut(before);
    // Nor does the old password sign in while the reset is pending.
    expect((await signIn(new BrowserlessClient(t.url), user.login, password)).final.status).toBe(401);

    const client = new BrowserlessClient(t.url);
    const page = (await client.get(resetPasswordUrl)).final;
    expect(page.status).toBe(200);
    expect(textOf(page.body)).toContain('Reset your password');

    const weak = (await client.submit(page, { newPassword: 'hopper-lowercase-1', confirmPassword: 'hopper-lowercase-1' })).final;
    typedPasswords.add('hopper-lowercase-1');
    expect(weak.status).toBe(400);
    expect(alertsOf(weak.body)[0]).toContain('an uppercase letter');

    const newPassword = 'Reset-And-Return-88';
    typedPasswords.add(newPassword);
    const done = await client.submit(weak, { newPassword, confirmPassword: newPassword });
    expect(done.hops[0]!.status).toBe(302);
    await expectSignedIn(client, user);
    expect(await statusOf(user.id)).toBe('ACTIVE');

    expect((await client.request(resetPasswordUrl)).status).toBe(410);
    const repost = await client.request(resetPasswordUrl, { method: 'POST', form: { csrf: client.cookie('lanyard_csrf')!, newPassword: 'Other-Pass-999', confirmPassword: 'Other-Pass-999' } });
    expect(repost.status).toBe(410);
    expect((await signIn(new BrowserlessClient(t.url), user.login, password)).final.status).toBe(401);
    expect((await signIn(new BrowserlessClient(t.url), user.login, newPassword)).hops[0]!.status).toBe(302);
  });

  it('a made-up or malformed link answers 410', async () => {
    const client = new BrowserlessClient(t.url);
    for (const path of ['/welcome/AAAAAAAAAAAAAAAAAAAA', '/reset_password/AAAAAAAAAAAAAAAAAAAA', '/welcome/short', '/reset_password/%3Cscript%3E']) {
      const answer = await client.request(path);
      expect(answer.status, path).toBe(410);
      expect(answer.body).not.toContain('<script>');
    }
  });
});

describe('headers', () => {
  it('every page answers no-store with a CSP that forbids framing', async () => {
    const user = await createUser();
    const link = await call(`/api/v1/users/${(await createUser({ password: null, activate: false })).id}/lifecycle/activate?sendEmail=false`, { method: 'POST' });
    const client = new BrowserlessClient(t.url);
    const seen: Response[] = [];
    const loginPage = await client.request('/login');
    seen.push(loginPage);
    seen.push(await client.request('/'));
    seen.push(await client.request('/login', { method: 'POST', form: { csrf: csrfOf(loginPage.body), username: user.login, password: 'Wrong-Password-123' } }));
    seen.push(await client.request('/login', { method: 'POST', form: { username: user.login, password } }));
    seen.push(await client.request(link.json.activationUrl));
    seen.push(await client.request('/welcome/AAAAAAAAAAAAAAAAAAAA'));
    const success = await client.request('/login', { method: 'POST', form: { csrf: csrfOf(loginPage.body), username: user.login, password } });
    seen.push(success);
    const home = await client.request('/');
    seen.push(home);
    seen.push(await client.request('/logout'));
    seen.push(await client.request('/logout', { method: 'POST', form: { csrf: csrfOf(home.body) } }));
    expect(seen.map((r) => r.status)).toEqual([200, 302, 401, 403, 200, 410, 302, 200, 200, 200]);

    for (const response of seen) {
      const where = `${response.status} ${response.url}`;
      expect(response.headers.get('cache-control'), where).toBe('no-store');
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp, where).toContain("frame-ancestors 'none'");
      expect(csp, where).toContain("form-action 'self'");
      expect(csp, where).not.toContain('unsafe-inline');
      expect(response.headers.get('x-frame-options'), where).toBe('DENY');
      expect(response.headers.get('x-content-type-options'), where).toBe('nosniff');
      expect(response.headers.get('referrer-policy'), where).toBe('no-referrer');
    }
  });
});

describe('system log', () => {
  it('records sign-in success and failure, never the password', async () => {
    const user = await createUser();
    const secretWrong = 'Wrong-But-Secret-Pa55';
    const unknownLogin = 'ghost@example.com';
    const client = new BrowserlessClient(t.url);
    expect((await signIn(client, user.login, secretWrong)).final.status).toBe(401);
    expect((await signIn(client, unknownLogin, secretWrong)).final.status).toBe(401);
    expect((await signIn(client, user.login, password)).hops[0]!.status).toBe(302);

    const filter = encodeURIComponent('eventType eq "user.session.start"');
    const events = await call(`/api/v1/logs?filter=${filter}&limit=1000`);
    expect(events.status, events.text).toBe(200);
    type Event = { eventType: string; outcome: { result: string; reason: string | null }; actor: { id: string; alternateId: string }; target: { id: string }[] };
    const list = events.json as Event[];
    expect(list.every((e) => e.eventType === 'user.session.start')).toBe(true);
    const mine = list.filter((e) => e.target.some((x) => x.id === user.id));
    expect(mine.map((e) => [e.outcome.result, e.outcome.reason])).toEqual(expect.arrayContaining([
      ['FAILURE', 'INVALID_CREDENTIALS'],
      ['SUCCESS', null],
    ]));
    const success = mine.find((e) => e.outcome.result === 'SUCCESS')!;
    expect(success.actor).toMatchObject({ id: user.id, alternateId: user.login });
    const ghost = list.filter((e) => e.actor.alternateId === unknownLogin);
    expect(ghost).toHaveLength(1);
    expect(ghost[0]!.outcome).toEqual({ result: 'FAILURE', reason: 'INVALID_CREDENTIALS' });
    expect(ghost[0]!.target).toEqual([]);

    // No password typed anywhere in this file reaches the system log or the server's own log.
    typedPasswords.add(secretWrong);
    const everything = await call('/api/v1/logs?limit=1000');
    expect(everything.status).toBe(200);
    expect(everything.json.length).toBeGreaterThan(10);
    const appText = appLog.join('');
    expect(appText).toContain('"route":"/login"');
    for (const pw of typedPasswords) {
      if (pw === 'password' || pw === 'short') continue; // words that appear legitimately in field names and rules
      expect(everything.text, 'system log').not.toContain(pw);
      expect(events.text, 'session events').not.toContain(pw);
      expect(appText, 'application log').not.toContain(pw);
    }
  });
});
