/**
 * The console's building blocks. Every control has a visible label, errors are announced
 * (`role="alert"`), results of actions are announced politely (`role="status"`), and nothing
 * depends on colour alone.
 */
import { useEffect, useId, useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import { ApiError } from '../api.ts';

export function PageHeader({ title, description, actions }: { title: string; description?: ReactNode; actions?: ReactNode }) {
  useEffect(() => {
    document.title = `${title} · Lanyard Admin`;
  }, [title]);
  return (
    <header className="page-header">
      <div>
        <h1>{title}</h1>
        {description ? <p className="lead">{description}</p> : null}
      </div>
      {actions ? <div className="actions">{actions}</div> : null}
    </header>
  );
}

/** An error from the API (or anything else), with the server's causes as a list. */
export function ErrorNotice({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const summary = error instanceof ApiError ? error.summary : error instanceof Error ? error.message : String(error);
  const causes = error instanceof ApiError ? error.causes : [];
  return (
    <div className="notice error" role="alert">
      <strong>{title ?? 'That did not work'}</strong>
      <p>{summary}</p>
      {causes.length ? <ul>{causes.map((c) => <li key={c}>{c}</li>)}</ul> : null}
    </div>
  );
}

/** A polite announcement of what just happened ("User created"). */
export function StatusNotice({ message }: { message: string | undefined }) {
  return <div className="notice success" role="status" aria-live="polite" hidden={!message}>{message}</div>;
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return <p className="loading" role="status" aria-live="polite">{label}</p>;
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <p className="empty-title">{title}</p>
      {children ? <div>{children}</div> : null}
    </div>
  );
}

export interface Column<T> {
  readonly header: string;
  readonly cell: (row: T) => ReactNode;
  readonly className?: string;
}

/** A table with a caption (read by screen readers) and an empty state. */
export function DataTable<T>({ caption, columns, rows, rowKey, empty }: {
  caption: string; columns: readonly Column<T>[]; rows: readonly T[]; rowKey: (row: T) => string; empty?: ReactNode;
}) {
  if (rows.length === 0) return <>{empty ?? <EmptyState title="Nothing here yet" />}</>;
  return (
    // Focusable and named, so a table wider than the screen can be scrolled with the keyboard.
    <div className="table-wrap" tabIndex={0} role="region" aria-label={caption}>
      <table>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>{columns.map((c) => <th key={c.header} scope="col" className={c.className}>{c.header}</th>)}</tr>
        </thead>
        <tbody>
          {rows.map((row) => <tr key={rowKey(row)}>{columns.map((c) => <td key={c.header} className={c.className}>{c.cell(row)}</td>)}</tr>)}
        </tbody>
      </table>
    </div>
  );
}

interface FieldProps {
  readonly label: string;
  readonly hint?: ReactNode;
  readonly error?: string | undefined;
}

export function TextField({ label, hint, error, value, onChange, type = 'text', required, name, autoComplete, placeholder, multiline }: FieldProps & {
  value: string; onChange: (value: string) => void; type?: string; required?: boolean; name?: string; autoComplete?: string;
  placeholder?: string; multiline?: boolean;
}) {
  const id = useId();
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  const common = {
    id, name, value, required, placeholder, 'aria-describedby': describedBy, 'aria-invalid': error ? true : undefined,
  };
  return (
    <div className="field">
      <label htmlFor={id}>{label}{required ? <span aria-hidden="true"> *</span> : null}</label>
      {multiline
        ? <textarea {...common} rows={6} onChange={(e) => onChange(e.target.value)} />
        : <input {...common} type={type} autoComplete={autoComplete} onChange={(e) => onChange(e.target.value)} />}
      {hint ? <p className="hint" id={`${id}-hint`}>{hint}</p> : null}
      {error ? <p className="field-error" id={`${id}-error`}>{error}</p> : null}
    </div>
  );
}

export function SelectField({ label, hint, value, onChange, options, name }: FieldProps & {
  value: string; onChange: (value: string) => void; options: readonly { value: string; label: string }[]; name?: string;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} name={name} value={value} onChange={(e) => onChange(e.target.value)} aria-describedby={hint ? `${id}-hint` : undefined}>
        {options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
      </select>
      {hint ? <p className="hint" id={`${id}-hint`}>{hint}</p> : null}
    </div>
  );
}

export function CheckboxField({ label, checked, onChange, hint }: FieldProps & { checked: boolean; onChange: (checked: boolean) => void }) {
  const id = useId();
  return (
    <div className="field checkbox">
      <input id={id} type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} aria-describedby={hint ? `${id}-hint` : undefined} />
      <label htmlFor={id}>{label}</label>
      {hint ? <p className="hint" id={`${id}-hint`}>{hint}</p> : null}
    </div>
  );
}

/** A button that asks once more before it acts (deleting, deactivating). */
export function ConfirmButton({ children, question, onConfirm, busy, danger = true }: {
  children: ReactNode; question: string; onConfirm: () => void; busy?: boolean; danger?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return <button type="button" className={danger ? 'danger' : ''} disabled={busy} onClick={() => setAsking(true)}>{children}</button>;
  }
  return (
    <span className="confirm" role="group" aria-label={question}>
      <span>{question}</span>
      <button type="button" className={danger ? 'danger' : 'primary'} autoFocus onClick={() => { setAsking(false); onConfirm(); }}>Yes</button>
      <button type="button" onClick={() => setAsking(false)}>Cancel</button>
    </span>
  );
}

/** Progress of long work (imports, bulk provisioning), announced as it moves. */
export function ProgressBar({ label, value, max, detail }: { label: string; value: number; max?: number | undefined; detail?: ReactNode }) {
  const id = useId();
  return (
    <div className="progress">
      <label htmlFor={id}>{label}</label>
      {max ? <progress id={id} value={value} max={max}>{value} of {max}</progress> : <progress id={id}>working</progress>}
      <p className="hint" aria-live="polite">{detail ?? (max ? `${value} of ${max}` : `${value} done`)}</p>
    </div>
  );
}

/** "Load more" for APIs that page with `Link: rel="next"`. */
export function MoreButton({ next, onMore, busy }: { next: string | undefined; onMore: (next: string) => void; busy?: boolean }) {
  if (!next) return null;
  return <button type="button" className="more" disabled={busy} onClick={() => onMore(next)}>Load more</button>;
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status.toLowerCase()}`}>{status.replace(/_/g, ' ').toLowerCase()}</span>;
}

export function BackLink({ to, children }: { to: string; children: ReactNode }) {
  return <p className="back"><Link to={to}>← {children}</Link></p>;
}
