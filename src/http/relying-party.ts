/** The WebAuthn relying party of a request: the org's host and origin, as the browser sees them. */
import type { RelyingParty } from '../signin/mfa.ts';
import type { LanyardContext } from './state.ts';

export function relyingParty(ctx: LanyardContext): RelyingParty {
  const url = new URL(ctx.state.orgUrl!);
  return { rpId: url.hostname, origin: url.origin };
}
