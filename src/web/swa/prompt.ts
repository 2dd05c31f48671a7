/**
 * The "did it work?" question the home page shows after an SWA app was opened with vaulted
 * credentials: a fragment (no page frame) with one form posting `answer=yes|no` to
 * `POST /home/swa/checks/{launchId}`.
 */
import { html, type Html } from '../signin/html.ts';
import { csrfField } from '../signin/layout.ts';
import type { PendingCheck } from '../../services/swa.ts';

export function renderSwaCheckPrompt(check: PendingCheck, csrf: string): Html {
  return html`<section class="swa-check" aria-labelledby="swa-check-${check.launchId}">
<h2 id="swa-check-${check.launchId}">Did ${check.appLabel} sign you in?</h2>
<form method="post" action="/home/swa/checks/${check.launchId}">
${csrfField(csrf)}
<button type="submit" name="answer" value="yes">Yes, it worked</button>
<button type="submit" name="answer" value="no" class="secondary">No, it didn't</button>
</form>
</section>`;
}
