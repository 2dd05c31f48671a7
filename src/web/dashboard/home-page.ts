/**
 * The dashboard (`/`): the user's apps as tiles they can reorder, requests waiting for their
 * decision, their profile, sessions, connected apps and second factors. Server-rendered; every
 * action is a form, so it works without JavaScript and from the keyboard.
 */
import { html, Html } from '../signin/html.ts';
import { alert, csrfField, page } from '../signin/layout.ts';
import { dashboardNav } from './nav.ts';

/** A device or app asking, through the back channel (CIBA), to sign the user in. */
export interface PendingRequest {
  readonly action: string;
  readonly clientName: string;
  readonly scope: string;
  readonly bindingMessage: string | undefined;
}

/** An app the user has allowed to act for them (an OAuth consent), with the form that revokes it. */
export interface AllowedApp {
  readonly name: string;
  readonly scopes: readonly string[];
  readonly action: string;
}

/** One of the user's second factors, as their own page lists it. */
export interface OwnFactor {
  readonly label: string;
  readonly since: string;
  readonly removeAction: string;
}

export interface Tile {
  readonly id: string;
  readonly label: string;
  readonly href: string;
  /** The catalog logo; without one the tile shows the label's first letter. */
  readonly logoUrl: string | undefined;
}

/** A request the user may approve or deny. */
export interface Approval {
  readonly id: string;
  readonly requester: string;
  readonly appLabel: string;
  readonly reason: string | null;
  readonly created: string;
}

export interface ProfileField {
  readonly name: string;
  readonly label: string;
  readonly value: string;
  readonly readOnly: boolean;
  readonly type?: 'text' | 'tel';
  readonly autocomplete?: string;
}

export interface OwnSession {
  readonly id: string;
  readonly created: string;
  readonly lastSeen: string;
  readonly ipAddress: string | null;
  readonly browser: string | null;
  readonly current: boolean;
}

export interface DashboardModel {
  readonly orgName: string;
  readonly csrf: string;
  /** Whether to offer the admin console. */
  readonly admin?: boolean;
  readonly name: string;
  readonly login: string;
  readonly lastLogin: string | null;
  /**
   * Banners above the apps, as HTML fragments other parts of Lanyard render (a fragment must
   * escape what it shows: build it with the `html` tag).
   */
  readonly notices: readonly Html[];
  /** The outcome of the last action, announced to screen readers. */
  readonly status?: string | undefined;
  readonly error?: string | undefined;
  readonly pending: readonly PendingRequest[];
  readonly tiles: readonly Tile[];
  /** The tile whose move button was used last, so focus stays on it: `[appId, direction]`. */
  readonly moved?: readonly [string, 'up' | 'down'] | undefined;
  readonly approvals: readonly Approval[];
  readonly profile: readonly ProfileField[];
  readonly profileNote: string | undefined;
  readonly sessions: readonly OwnSession[];
  readonly allowed: readonly AllowedApp[];
  readonly factors: readonly OwnFactor[];
}

function tileHtml(model: DashboardModel, tile: Tile, index: number, count: number): Html {
  const logo = tile.logoUrl
    ? html`<img class="logo" src="${tile.logoUrl}" alt="">`
    : html`<span class="logo logo-letter" aria-hidden="true">${(tile.label.trim()[0] ?? '?').toUpperCase()}</span>`;
  const moveButton = (direction: 'up' | 'down', text: string, disabled: boolean): Html => html`<form method="post" action="/account/apps/${tile.id}/move">
${csrfField(model.csrf)}<input type="hidden" name="direction" value="${direction}">
<button type="submit" class="secondary" aria-label="${text}: ${tile.label}"${disabled ? html` disabled` : ''}${focused === direction ? html` autofocus` : ''}>${text}</button>
</form>`;
  // After a move, focus returns to the button used, or to the other one when the tile reached an end.
  const first = index === 0;
  const last = index === count - 1;
  const used = model.moved?.[0] === tile.id ? model.moved[1] : undefined;
  const focused = used === 'up' ? (first ? 'down' : 'up') : used === 'down' ? (last ? 'up' : 'down') : undefined;
  return html`<li class="tile" id="app-${tile.id}">
<a href="${tile.href}">${logo}<span class="label">${tile.label}</span></a>
<div class="tile-actions">
${moveButton('up', direction('up'), index === 0)}
${moveButton('down', direction('down'), index === count - 1)}
</div>
</li>`;
}

const direction = (d: 'up' | 'down') => (d === 'up' ? 'Move earlier' : 'Move later');

function appsSection(model: DashboardModel): Html {
  if (model.tiles.length === 0) {
    return html`<section aria-labelledby="apps-heading" id="apps">
<h2 id="apps-heading">Your apps</h2>
<p>No apps yet — ask your administrator or <a href="/catalog">browse the app catalog</a>.</p>
</section>`;
  }
  return html`<section aria-labelledby="apps-heading" id="apps">
<h2 id="apps-heading">Your apps</h2>
<ol class="tiles">
${model.tiles.map((t, i) => tileHtml(model, t, i, model.tiles.length))}
</ol>
<div class="inline">
<form method="post" action="/account/apps/sort">${csrfField(model.csrf)}<button type="submit" class="secondary">Sort by name</button></form>
<a href="/catalog">Browse the app catalog</a>
</div>
</section>`;
}

function approvalsSection(model: DashboardModel): Html {
  if (model.approvals.length === 0) return html``;
  return html`<section aria-labelledby="approvals-heading" id="approvals">
<h2 id="approvals-heading">Requests to approve</h2>
<ul class="rows">
${model.approvals.map((a) => html`<li>
<p><strong>${a.requester}</strong> asks for <strong>${a.appLabel}</strong> <span class="hint">on <time datetime="${a.created}">${a.created.slice(0, 10)}</time></span></p>
${a.reason ? html`<p class="hint">“${a.reason}”</p>` : ''}
<form method="post" action="/account/access-requests/${a.id}/decide" class="inline">
${csrfField(model.csrf)}
<button type="submit" name="decision" value="approve" aria-label="Approve ${a.requester}'s request for ${a.appLabel}">Approve</button>
<button type="submit" name="decision" value="deny" class="secondary" aria-label="Deny ${a.requester}'s request for ${a.appLabel}">Deny</button>
</form>
</li>`)}
</ul>
</section>`;
}

function profileSection(model: DashboardModel): Html {
  return html`<section aria-labelledby="profile-heading" id="profile">
<h2 id="profile-heading">Your profile</h2>
<dl>
<dt>Signed in as</dt><dd>${model.login}</dd>
${model.lastLogin ? html`<dt>Last sign-in</dt><dd><time datetime="${model.lastLogin}">${model.lastLogin}</time></dd>` : ''}
</dl>
${model.profileNote ? html`<p class="hint" id="profile-note">${model.profileNote}</p>` : ''}
<form method="post" action="/account/profile" novalidate>
${csrfField(model.csrf)}
<div class="fields">
${model.profile.map((f) => html`<div>
<label for="profile-${f.name}">${f.label}</label>
<input id="profile-${f.name}" name="${f.name}" type="${f.type ?? 'text'}" value="${f.value}"${f.autocomplete ? html` autocomplete="${f.autocomplete}"` : ''}${f.readOnly ? html` readonly aria-describedby="profile-note"` : ''}>
</div>`)}
</div>
<button type="submit">Save profile</button>
</form>
</section>`;
}

function sessionsSection(model: DashboardModel): Html {
  return html`<section aria-labelledby="sessions-heading" id="sessions">
<h2 id="sessions-heading">Your sessions</h2>
<ul class="rows">
${model.sessions.map((s) => html`<li>
<form method="post" action="/account/sessions/${s.id}/end" class="inline">
${csrfField(model.csrf)}
<span><strong>${s.browser ?? 'Unknown browser'}</strong>${s.current ? html` <span class="hint">(this browser)</span>` : ''}<br>
<span class="hint">${s.ipAddress ? html`from ${s.ipAddress}, ` : ''}signed in <time datetime="${s.created}">${s.created.slice(0, 16).replace('T', ' ')}</time>, last used <time datetime="${s.lastSeen}">${s.lastSeen.slice(0, 16).replace('T', ' ')}</time></span></span>
<button type="submit" class="secondary" aria-label="End session: ${s.current ? 'this browser' : `${s.browser ?? 'unknown browser'}, started ${s.created.slice(0, 16).replace('T', ' ')}`}">End session</button>
</form>
</li>`)}
</ul>
<form method="post" action="/account/sessions/end-all">
${csrfField(model.csrf)}
<button type="submit" class="secondary">Sign out everywhere</button>
</form>
<p class="hint">Signs out every browser, this one too. Apps you connected keep their access until you remove it below.</p>
</section>`;
}

function connectedSection(model: DashboardModel): Html {
  return html`<section aria-labelledby="connected-heading" id="connected">
<h2 id="connected-heading">Connected apps</h2>
${model.allowed.length === 0 ? html`<p class="hint">No app acts for you.</p>` : ''}
<ul class="rows">
${model.allowed.map((a) => html`<li>
<form method="post" action="${a.action}" class="inline">
${csrfField(model.csrf)}
<span><strong>${a.name}</strong> <span class="hint">${a.scopes.join(', ')}</span></span>
<button type="submit" class="secondary" aria-label="Revoke ${a.name}">Revoke</button>
</form>
</li>`)}
</ul>
</section>`;
}

function factorsSection(model: DashboardModel): Html {
  const enroll = (factorType: string, provider: string, text: string) => html`<form method="post" action="/login/mfa/enroll">
${csrfField(model.csrf)}
<input type="hidden" name="fromURI" value="/">
<input type="hidden" name="factorType" value="${factorType}">
<input type="hidden" name="provider" value="${provider}">
<button type="submit" class="secondary">${text}</button>
</form>`;
  return html`<section aria-labelledby="factors-heading" id="security">
<h2 id="factors-heading">Second factors</h2>
${model.factors.length === 0 ? html`<p class="hint">You have none yet. A second factor keeps your account safe even if someone learns your password.</p>` : ''}
<ul class="rows">
${model.factors.map((f) => html`<li>
<form method="post" action="${f.removeAction}" class="inline">
${csrfField(model.csrf)}
<span><strong>${f.label}</strong> <span class="hint">since <time datetime="${f.since}">${f.since.slice(0, 10)}</time></span></span>
<button type="submit" class="secondary" aria-label="Remove ${f.label}">Remove</button>
</form>
</li>`)}
</ul>
${enroll('token:software:totp', 'GOOGLE', 'Set up an authenticator app')}
${enroll('webauthn', 'FIDO', 'Set up a security key or passkey')}
</section>`;
}

export function dashboardPage(model: DashboardModel): string {
  return page({
    title: 'Your apps',
    orgName: model.orgName,
    wide: true,
    nav: dashboardNav(model.csrf, 'home', model.admin),
    body: html`<h1>Welcome, ${model.name}</h1>
${alert(model.error)}${alert(model.status, 'info')}
${model.notices.map((n) => html`<div class="notice">${n}</div>`)}
${model.pending.map((p) => html`<section class="alert alert-info" aria-label="Sign-in request">
<p><strong>${p.clientName}</strong> asks to sign you in${p.bindingMessage ? html` (code <strong>${p.bindingMessage}</strong>)` : ''}.</p>
<p class="hint">Access: ${p.scope}</p>
<form method="post" action="${p.action}">
${csrfField(model.csrf)}
<button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</form>
</section>`)}
${appsSection(model)}
${approvalsSection(model)}
${profileSection(model)}
${sessionsSection(model)}
${connectedSection(model)}
${factorsSection(model)}`,
  });
}
