/**
 * The agent's state file: the Lanyard org it serves and its id and secret, readable by its owner
 * only (0600), so that a restart needs no new enrolment token.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';

export interface AgentState {
  readonly url: string;
  readonly agentId: string;
  readonly secret: string;
  readonly directoryId: string;
}

export function readState(path: string): AgentState | undefined {
  if (!existsSync(path)) return undefined;
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<AgentState>;
  if (typeof parsed.url !== 'string' || typeof parsed.agentId !== 'string' || typeof parsed.secret !== 'string' || typeof parsed.directoryId !== 'string') {
    throw new Error(`${path} is not an agent state file`);
  }
  return parsed as AgentState;
}

export function writeState(path: string, state: AgentState): void {
  writeFileSync(path, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  // A file that existed keeps its mode through writeFileSync: narrow it too.
  chmodSync(path, 0o600);
}
