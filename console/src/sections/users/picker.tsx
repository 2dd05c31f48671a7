/**
 * Find something by the start of its name and pick it: a search field, the matches as a list, one
 * button per match. Used to add people to groups, groups to people, owners to groups.
 */
import { useState, type FormEvent, type ReactNode } from 'react';
import { useAction } from '../../components/async.ts';
import { ErrorNotice, TextField } from '../../components/ui.tsx';

export function Picker<T>({ label, search, describe, keyOf, action, onPick, busy }: {
  /** "Find a group": the label of the search field and the name of the form. */
  label: string;
  search: (q: string) => Promise<T[]>;
  describe: (item: T) => string;
  keyOf: (item: T) => string;
  /** The verb on each match's button ("Add"). */
  action: string;
  onPick: (item: T) => Promise<unknown>;
  busy?: boolean;
}) {
  const [q, setQ] = useState('');
  const [matches, setMatches] = useState<T[]>();
  const find = useAction(async () => setMatches(await search(q.trim())));
  const pick = useAction(async (item: T) => {
    await onPick(item);
    // The rest of the matches are dropped rather than filtered: an empty list would read as "nothing matches".
    setMatches((m) => {
      const rest = m?.filter((x) => keyOf(x) !== keyOf(item));
      return rest?.length ? rest : undefined;
    });
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void find.run();
  };
  let results: ReactNode = null;
  if (matches) {
    results = matches.length
      ? <ul className="picker-results" aria-label={`Matches for ${label.toLowerCase()}`}>
          {matches.map((m) => (
            <li key={keyOf(m)}>
              <span>{describe(m)}</span>
              <button type="button" disabled={busy || pick.busy} onClick={() => void pick.run(m)}>{action} {describe(m)}</button>
            </li>
          ))}
        </ul>
      : <p className="hint" role="status">Nothing matches “{q}”.</p>;
  }
  return (
    <div className="picker">
      <form className="toolbar" role="search" aria-label={label} onSubmit={submit}>
        <TextField label={label} type="search" value={q} onChange={setQ} />
        <button type="submit" disabled={find.busy}>Search</button>
      </form>
      <ErrorNotice error={find.error ?? pick.error} />
      {results}
    </div>
  );
}
