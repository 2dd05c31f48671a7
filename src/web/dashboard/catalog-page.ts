/** `/catalog`: apps the user may ask for, with their request's state, and the form to ask. */
import { html } from '../signin/html.ts';
import { alert, csrfField, page } from '../signin/layout.ts';
import { dashboardNav } from './nav.ts';

export interface CatalogItem {
  readonly appId: string;
  readonly label: string;
  readonly state: 'none' | 'PENDING' | 'DENIED' | 'APPROVED';
  readonly since: string | undefined;
}

export function catalogPage(model: { orgName: string; csrf: string; items: readonly CatalogItem[]; status?: string | undefined; error?: string | undefined;
  maxReason: number }): string {
  return page({
    title: 'App catalog',
    orgName: model.orgName,
    wide: true,
    nav: dashboardNav(model.csrf, 'catalog'),
    body: html`<h1>App catalog</h1>
${alert(model.error)}${alert(model.status, 'info')}
${model.items.length === 0 ? html`<p>There are no apps to request right now.</p>` : ''}
<ul class="rows">
${model.items.map((item) => html`<li id="request-${item.appId}">
<h2>${item.label}</h2>
${item.state === 'PENDING' ? html`<p>Request pending since <time datetime="${item.since!}">${item.since!.slice(0, 10)}</time>.</p>` : html`
${item.state === 'DENIED' ? html`<p>Your last request was denied on <time datetime="${item.since!}">${item.since!.slice(0, 10)}</time>. You may ask again.</p>` : ''}
<form method="post" action="/catalog/${item.appId}/request">
${csrfField(model.csrf)}
<label for="reason-${item.appId}">Why you need ${item.label} (optional)</label>
<textarea id="reason-${item.appId}" name="reason" rows="2" maxlength="${model.maxReason}"></textarea>
<button type="submit">Request access to ${item.label}</button>
</form>`}
</li>`)}
</ul>`,
  });
}
