/** What every use case needs; built once in `app/`. */
import type { Clock } from '../kernel/clock.ts';
import type { Logger } from '../kernel/logger.ts';
import type { PasswordHasher } from '../signin/passwords.ts';
import type { Changes } from '../kernel/changes.ts';
import type { OutboundHttp } from '../kernel/outbound-http.ts';
import type { CounterStore, Store } from './ports.ts';
import type { ThrottleLimits } from '../config/schema.ts';

export interface ServiceDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly passwords: PasswordHasher;
  readonly isCommonPassword: (password: string) => boolean;
  readonly logger: Logger;
  /** Public URL of the first org; other orgs' URLs derive from it (`domain/org-url.ts`). */
  readonly baseUrl: URL;
  /** The key-encryption key: the vault seals secrets with org data keys wrapped by it. */
  readonly masterKey: Buffer;
  /** Announces changes to state that other parts cache (authorization server configuration). */
  readonly changes: Changes;
  /** Requests to other people's servers (the integration network's live checks, provisioning), SSRF-guarded. */
  readonly outbound: OutboundHttp;
  /** Tuning of the provisioning worker. */
  readonly provisioning?: { readonly leaseMs?: number; readonly baseBackoffMs?: number };
  /** Window counters (in-process, or Redis shared by every node); without them nothing is throttled. */
  readonly counters?: CounterStore;
  /** Attempts per minute before sign-in and MFA verification are throttled. */
  readonly throttle?: ThrottleLimits;
  /** How long sign-ins and tests wait for a directory agent's answer. */
  readonly directoryAgents?: { readonly bindWaitMs?: number; readonly testWaitMs?: number };
}
