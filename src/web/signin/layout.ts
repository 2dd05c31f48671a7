/** The frame of every server-rendered page: no script, one stylesheet, a readable structure. */
import { html, type Html } from './html.ts';

export interface PageOptions {
  readonly title: string;
  readonly orgName?: string;
  readonly body: Html;
}

export function page({ title, orgName, body }: PageOptions): string {
  return `<!doctype html>\n${html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}${orgName ? ` · ${orgName}` : ''}</title>
<link rel="stylesheet" href="/assets/signin.css">
</head>
<body>
<main class="card">
<p class="brand" aria-hidden="true">${orgName ?? 'Lanyard'}</p>
${body}
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
