/** The WebAuthn relying party of a request: the org's host and origin, as the browser sees them. */
import { relyingPartyFor, type RelyingParty } from '../protocols/webauthn/ceremonies.ts';
import type { LanyardContext } from './state.ts';

export function relyingParty(ctx: LanyardContext): RelyingParty {
  return relyingPartyFor(ctx.state.orgUrl!);
}
