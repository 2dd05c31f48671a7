/**
 * The page that carries a SAML or WS-Federation message to the service provider with the
 * HTTP-POST binding: a form of hidden fields posted by a script the page's CSP names by hash,
 * with a Continue button for browsers without script. The form may post only to the target's
 * origin.
 */
import { createHash } from 'node:crypto';
import { html } from '../signin/html.ts';
import { page } from '../signin/layout.ts';

const submitScript = 'document.forms[0].submit();';
const scriptHash = createHash('sha256').update(submitScript).digest('base64');

export interface PostFormPage {
  readonly body: string;
  /** The page's Content-Security-Policy: the submit script by hash, the target origin as form action. */
  readonly csp: string;
}

export function postFormPage(target: string, fields: Readonly<Record<string, string | undefined>>, orgName?: string): PostFormPage {
  const origin = new URL(target).origin;
  const inputs = Object.entries(fields).filter(([, v]) => v !== undefined)
    .map(([name, value]) => html`<input type="hidden" name="${name}" value="${value!}">`);
  const body = page({
    title: 'Signing in',
    ...(orgName ? { orgName } : {}),
    body: html`<h1>Signing you in…</h1>
<form method="post" action="${target}">
${inputs}
<noscript><p>Script is off in this browser. Continue to finish signing in.</p><button type="submit">Continue</button></noscript>
</form>
<script>${submitScript}</script>`,
  });
  return {
    body,
    csp: `default-src 'none'; style-src 'self'; script-src 'sha256-${scriptHash}'; form-action ${origin}; frame-ancestors 'none'; base-uri 'none'`,
  };
}
