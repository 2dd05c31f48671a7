/**
 * The frame of every server-rendered page: one stylesheet, a readable structure, and no script
 * except Lanyard's own files where a page cannot work without one (WebAuthn).
 */
import { html, type Html } from './html.ts';

export interface PageOptions {
  readonly title: string;
  readonly orgName?: string;
  readonly body: Html;
  /** Same-origin scripts the page loads (the page's CSP must allow `script-src 'self'`). */
  readonly scripts?: readonly string[];
  /** A wide page (the dashboard) with its own navigation above the content. */
  readonly wide?: boolean;
  readonly nav?: Html;
}

export function page({ title, orgName, body, scripts = [], wide = false, nav }: PageOptions): string {
  return `<!doctype html>\n${html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}${orgName ? ` · ${orgName}` : ''}</title>
<link rel="stylesheet" href="/assets/signin.css">
${scripts.map((src) => html`<script src="${src}" defer></script>
`)}</head>
<body${wide ? html` class="wide"` : ''}>
${nav ? html`<header class="topbar"><p class="brand">${orgName ?? 'Lanyard'}</p>${nav}</header>
` : ''}<main class="card${wide ? ' wide' : ''}">
${nav ? '' : html`<p class="brand" aria-hidden="true">${orgName ?? 'Lanyard'}</p>
`}${body}
</main>
</body>
</html>`.value}\n`;
}

/** A form's hidden CSRF field. */
export function csrfField(token: string): Html {
  return html`<input type="hidden" name="csrf" value="${token}">`;
}

/** An alert region that screen readers announce. */
export function alert(message: string | undefined, kind: 'error' | 'info' = 'error'): Html {
  if (!message) return html``;
  return html`<div class="alert alert-${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${message}</div>`;
}
