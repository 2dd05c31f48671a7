/**
 * Signed SAML responses per second for a person who already has a session: an SP-initiated
 * AuthnRequest (Redirect binding, made by node-saml beforehand) through Lanyard's SSO endpoint
 * to the page that posts the signed Response, against the raw rate of XML signatures measured in
 * the same run: the same assertion and response signed (twice, as Lanyard's default signs both)
 * by xml-crypto with the app's own key, with nothing else around it.
 *
 * Run alone: `node bench/run.ts saml-signin`.
 */
import { SAML } from '@node-saml/node-saml';
import { BrowserlessClient, csrfOf, findForms } from '../test/helpers/browserless.ts';
import { assertionXml } from '../src/protocols/saml/response.ts';
import { signElement } from '../src/protocols/saml/signature.ts';
import { newSamlId, ns, samlInstant } from '../src/protocols/saml/xml.ts';
import {
  alternatingRounds, apiCall, log, markdownTable, newAdminToken, percentile, rate, startServer, tempDir, type BenchRow, type Combined,
} from './lib.ts';

export const name = 'saml-signin';

const login = 'saml.bench@bench.example';
const password = 'Copper-Meadow-Signal-58';
const spEntityId = 'https://sp.bench.test/metadata';
const acsUrl = 'https://sp.bench.test/acs';

export async function run(options: { seconds?: number; workers?: number } = {}): Promise<BenchRow[]> {
  const seconds = options.seconds ?? 12;
  const workers = options.workers ?? 4;
  const dir = tempDir('lanyard-bench-saml-');
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    log(`${name}: starting Lanyard on ${dir.path}`);
    server = await startServer(dir.path, newAdminToken());
    const user = await apiCall(server, 'POST', '/api/v1/users?activate=true', {
      profile: { login, email: login, firstName: 'Saml', lastName: 'Bench' }, credentials: { password: { value: password } },
    });
    const app = await apiCall(server, 'POST', '/api/v1/apps', {
      label: 'Bench SAML app', signOnMode: 'SAML_2_0',
      settings: {
        signOn: {
          ssoAcsUrl: acsUrl, audience: spEntityId,
          attributeStatements: [{ type: 'EXPRESSION', name: 'email', namespace: 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic', values: ['user.email'] }],
        },
      },
    });
    await apiCall(server, 'POST', `/api/v1/apps/${app.id}/users`, { id: user.id });
    const ssoUrl = `${server.url}/app/${app.name}/${app.id}/sso/saml`;
    const sp = new SAML({ entryPoint: ssoUrl, issuer: spEntityId, callbackUrl: acsUrl, idpCert: 'unused-for-requests' });

    // One signed-in browser per worker.
    const browsers: BrowserlessClient[] = [];
    for (let i = 0; i < workers; i++) {
      const browser = new BrowserlessClient(server.url);
      const form = await browser.get('/login');
      await browser.submit(form.final, { csrf: csrfOf(form.final.body), username: login, password });
      browsers.push(browser);
    }
    let turn = 0;
    const signIn = async () => {
      const browser = browsers[turn++ % browsers.length]!;
      const nav = await browser.get(await sp.getAuthorizeUrlAsync('', undefined, {}));
      const posted = findForms(nav.final.body).find((f) => f.action === acsUrl);
      if (!posted?.fields.SAMLResponse) throw new Error(`no SAML response: ${nav.final.status} ${nav.final.body.slice(0, 200)}`);
    };

    // The baseline signs what Lanyard signs: an assertion of the same shape, then the response around it.
    const keys = await apiCall(server, 'GET', `/api/v1/apps/${app.id}/credentials/keys`);
    const org = await apiCall(server, 'GET', '/api/v1/org');
    const material = await server.lanyard.services.appKeys.signingMaterial(org.id, app.id, keys[0].kid);
    const rawSign = async () => {
      const now = new Date();
      const assertion = assertionXml({
        issuer: `http://www.okta.com/${app.id}`, destination: acsUrl, recipient: acsUrl, audience: spEntityId, inResponseTo: newSamlId(),
        nameId: { value: login, format: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified' }, sessionIndex: newSamlId(), authnInstant: now,
        authnContextClassRef: 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport',
        attributes: [{ name: 'email', nameFormat: 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic', values: [login] }],
        now, lifetimeSeconds: 300, skewSeconds: 300,
      });
      const algorithms = { signature: 'RSA_SHA256', digest: 'SHA256' } as const;
      const signedAssertion = signElement(assertion.xml, assertion.id, material, algorithms);
      const id = newSamlId();
      const response = `<samlp:Response xmlns:samlp="${ns.protocol}" xmlns:saml="${ns.assertion}" Destination="${acsUrl}" ID="${id}" IssueInstant="${samlInstant(now)}" Version="2.0">`
        + `<saml:Issuer>http://www.okta.com/${app.id}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>`
        + `${signedAssertion}</samlp:Response>`;
      signElement(response, id, material, algorithms);
    };

    log(`${name}: warming up`);
    await rate(workers, 1, signIn);
    await rate(1, 1, rawSign);
    const rounds = Math.max(1, Math.round(seconds / 3));
    const [lanyard, raw] = await alternatingRounds(name, seconds, rounds, [
      { label: 'Lanyard', workers, task: signIn },
      { label: 'raw XML signatures', workers: 1, task: rawSign, share: 0.5 },
    ]) as [Combined, Combined];
    return [
      {
        benchmark: name, figure: `signed responses/s with a session vs raw signing of the same (${workers} workers)`,
        value: lanyard.perSecond, unit: '/s', baseline: raw.perSecond, baselineLabel: 'xml-crypto, one thread',
        note: 'One sign-in: GET of the SSO URL with a fresh node-saml AuthnRequest (Redirect binding, deflated), the redirect to the '
          + 'continuation, and the page carrying the Response (assertion and response each signed, RSA-SHA256, the app\'s 2048-bit key), for a '
          + 'user who already has a session and is assigned to the app. Lanyard checks the request, parks and takes it, claims its ID '
          + 'against replay, records the session\'s participation for single logout, computes the NameID and an attribute, and logs '
          + 'the sign-in. The baseline builds an assertion of the same shape and signs it and its response with xml-crypto in a loop on '
          + `one thread. ${lanyard.count} sign-ins and ${raw.count} signings in ${rounds} alternating rounds.`,
      },
      { benchmark: name, figure: 'p50 latency of a sign-in', value: percentile(lanyard.latencies, 50), unit: 'ms' },
      { benchmark: name, figure: 'p99 latency of a sign-in', value: percentile(lanyard.latencies, 99), unit: 'ms' },
    ];
  } finally {
    await server?.close();
    dir.remove();
  }
}

if (import.meta.main) {
  const rows = await run();
  process.stdout.write(`${markdownTable(rows)}\n`);
}
