/** The dashboard's navigation: its pages and sections, and signing out. */
import { html, type Html } from '../signin/html.ts';
import { csrfField } from '../signin/layout.ts';

/** `admin`: the person is an administrator, so the admin console is one of their places. */
export function dashboardNav(csrf: string, current: 'home' | 'catalog', admin = false): Html {
  const link = (href: string, text: string, here: boolean) => html`<li><a href="${href}"${here ? html` aria-current="page"` : ''}>${text}</a></li>`;
  return html`<nav aria-label="Dashboard">
<ul>
${link('/', 'Your apps', current === 'home')}
${link('/catalog', 'App catalog', current === 'catalog')}
${link('/#profile', 'Profile', false)}
${link('/#sessions', 'Sessions', false)}
${link('/#security', 'Security', false)}
${admin ? link('/admin/', 'Admin console', false) : ''}
<li><form method="post" action="/logout">${csrfField(csrf)}<button type="submit" class="secondary">Sign out</button></form></li>
</ul>
</nav>`;
}
