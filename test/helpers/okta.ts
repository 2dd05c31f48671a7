/** Helpers for tests that use Okta's SDK as the client. */
import okta from '@okta/okta-sdk-nodejs';
import type { TestLanyard } from './lanyard.ts';

export type OktaClient = InstanceType<typeof okta.Client>;

export function oktaClient(orgUrl: string, token: string): OktaClient {
  return new okta.Client({ orgUrl, token });
}

export function adminClient(t: Pick<TestLanyard, 'url' | 'token'>): OktaClient {
  return oktaClient(t.url, t.token);
}

/** Every item of an SDK collection, following its Link headers. */
export async function collect<T>(collection: AsyncIterable<T | null>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of collection) if (item) out.push(item);
  return out;
}

export interface OktaApiError {
  readonly status: number;
  readonly errorCode: string;
  readonly errorSummary: string;
  readonly errorCauses: { errorSummary: string }[];
}

/** The error an SDK call rejects with; fails the test when the call succeeds. */
export async function oktaError(promise: Promise<unknown>): Promise<OktaApiError> {
  try {
    await promise;
  } catch (error) {
    return error as OktaApiError;
  }
  throw new Error('expected the call to fail');
}
