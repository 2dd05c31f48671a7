/**
 * Change notices within one process: a part that caches derived state (the protocol engines)
 * listens, the use cases that change the source announce. Other nodes notice on their own (they
 * re-check on a timer), so a notice is an optimisation, never the only path to correctness.
 */
export type ChangeListener = (orgId: string, subject: string) => void;

export interface Changes {
  announce(orgId: string, subject: string): void;
  listen(listener: ChangeListener): () => void;
}

export function createChanges(): Changes {
  const listeners = new Set<ChangeListener>();
  return {
    announce: (orgId, subject) => {
      for (const listener of listeners) listener(orgId, subject);
    },
    listen: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
