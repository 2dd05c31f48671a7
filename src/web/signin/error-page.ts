/** The readable page for a failure: what happened, and an id to quote. */
import { html } from './html.ts';
import { page } from './layout.ts';

export function renderErrorPage({ title, message, errorId }: { title: string; message: string; errorId?: string }): string {
  return page({
    title,
    body: html`<h1>${title}</h1>
<p>${message}</p>
${errorId ? html`<p class="muted">Error id: <code>${errorId}</code></p>` : ''}
<p><a href="/">Go to the start page</a></p>`,
  });
}
