/**
 * How a published verified integration is doing in its continual checks, as the catalog shows
 * it to every org: the state the monitor keeps on the version, and the summary derived from it.
 */
import type { CheckReport } from './checks.ts';

export interface MonitorState {
  readonly status: 'PASSING' | 'FAILING';
  readonly lastRun: string;
  /** When it started failing; null while it passes. */
  readonly failingSince: string | null;
  readonly report: CheckReport;
}

export interface Health {
  readonly status: 'PASSING' | 'FAILING' | 'UNTESTED';
  readonly lastRun: string | null;
  readonly failingSince: string | null;
  /** What failed, one line per check. */
  readonly failures: readonly string[];
}

/** The health a verified version shows in the catalog; null for community versions, which are not re-tested. */
export function healthOf(version: { readonly tier: string | null; readonly monitor: unknown }): Health | null {
  if (version.tier !== 'verified') return null;
  const state = version.monitor as MonitorState | null;
  if (!state) return { status: 'UNTESTED', lastRun: null, failingSince: null, failures: [] };
  return {
    status: state.status, lastRun: state.lastRun, failingSince: state.failingSince,
    failures: state.report.checks.filter((c) => c.status === 'FAILED').map((c) => `${c.id}: ${c.detail}`),
  };
}
