/** Time as a port, so tests can fix it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Okta's timestamp format: ISO 8601 in UTC with milliseconds. */
export function isoNow(clock: Clock): string {
  return clock.now().toISOString();
}
