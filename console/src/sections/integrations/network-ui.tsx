/**
 * What the vendor's pages and the reviewer's pages both show: a version's automated check report,
 * its review history, and a summary of its manifest. Shapes follow `/api/v1/integrations` and
 * `/api/v1/network/reviews`.
 */
import { DataTable, EmptyState, StatusBadge } from '../../components/ui.tsx';
import './network.css';

export interface CheckResult {
  readonly id: string;
  readonly title: string;
  readonly status: 'PASSED' | 'FAILED';
  readonly detail: string;
  readonly steps?: readonly string[];
}

export interface CheckReport {
  readonly ran: string;
  readonly result: 'PASSED' | 'FAILED';
  readonly checks: readonly CheckResult[];
}

export interface ReviewEntry {
  readonly at: string;
  readonly by: { readonly id: string; readonly login: string };
  readonly kind: 'comment' | 'reject' | 'approve';
  readonly text: string | null;
  readonly tier?: string;
}

export interface Submission {
  readonly tier: string;
  readonly notes: string | null;
  readonly testAccounts: readonly { username: string; expires: boolean; notes: string | null }[];
  readonly scimCredentials: string | null;
  readonly report: CheckReport;
}

export interface Manifest {
  readonly id: string;
  readonly version: string;
  readonly name: string;
  readonly vendor: { name: string; website: string };
  readonly website: string;
  readonly category: string;
  readonly description: string;
  readonly tier?: string;
  readonly variables?: readonly { name: string; label: string; type?: string; example: string }[];
  readonly signOn: Partial<Record<'oidc' | 'saml' | 'wsfed' | 'swa', Record<string, unknown> & { instructions?: string }>>;
  readonly provisioning?: { scim: { baseUrl: string; authScheme: string; operations: Record<string, boolean> } };
  readonly contacts: Record<string, { name?: string; email?: string; url?: string } | undefined>;
  readonly docsUrl?: string;
  readonly [key: string]: unknown;
}

export interface IntegrationVersion {
  readonly version: string;
  readonly status: 'DRAFT' | 'SUBMITTED' | 'PUBLISHED' | 'REJECTED';
  readonly tier: string | null;
  readonly created: string;
  readonly lastUpdated: string;
  readonly submitted: string | null;
  readonly published: string | null;
  readonly submission: Submission | null;
  readonly review: { entries: readonly ReviewEntry[] } | null;
  readonly manifest?: Manifest;
}

export const modeLabels: Record<string, string> = { oidc: 'OpenID Connect', saml: 'SAML 2.0', wsfed: 'WS-Federation', swa: 'Secure Web Authentication' };

export const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '—');

/** The automated checks of the last submission, one row each, with what failed and why. */
export function CheckResults({ report, headingLevel = 2 }: { report: CheckReport | undefined; headingLevel?: 2 | 3 }) {
  const Heading = `h${headingLevel}` as 'h2' | 'h3';
  return (
    <section className="panel" aria-labelledby="check-results">
      <Heading id="check-results">Check results</Heading>
      {!report ? <EmptyState title="No checks have run yet.">They run when the version is submitted for review.</EmptyState> : (
        <>
          <p>Overall: <StatusBadge status={report.result} /> <span className="hint">ran {when(report.ran)}</span></p>
          <DataTable caption="Automated checks" rowKey={(c) => c.id} rows={report.checks} columns={[
            { header: 'Check', cell: (c) => c.title },
            { header: 'Result', cell: (c) => <StatusBadge status={c.status} /> },
            {
              header: 'Detail',
              cell: (c) => (
                <>
                  <span>{c.detail}</span>
                  {c.steps?.length ? <ol className="check-steps">{c.steps.map((s, i) => <li key={i}>{s}</li>)}</ol> : null}
                </>
              ),
            },
          ]} />
        </>
      )}
    </section>
  );
}

const kindLabels: Record<ReviewEntry['kind'], string> = { comment: 'Comment', reject: 'Rejected', approve: 'Approved' };

/** The reviewers' comments and decisions, oldest first. */
export function ReviewHistory({ entries, headingLevel = 2 }: { entries: readonly ReviewEntry[] | undefined; headingLevel?: 2 | 3 }) {
  const Heading = `h${headingLevel}` as 'h2' | 'h3';
  return (
    <section className="panel" aria-labelledby="review-history">
      <Heading id="review-history">Review</Heading>
      {!entries?.length ? <EmptyState title="No reviewer has commented or decided yet." /> : (
        <ol className="review-entries">
          {entries.map((e, i) => (
            <li key={i} className={`review-${e.kind}`}>
              <p><strong>{kindLabels[e.kind]}</strong>{e.tier ? ` (${e.tier})` : ''} by {e.by.login} · {when(e.at)}</p>
              {e.text ? <p className="review-text">{e.text}</p> : null}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

/** Who makes it, how it signs in, what a customer fills in, whom to call. */
export function ManifestSummary({ manifest }: { manifest: Manifest }) {
  const modes = Object.keys(manifest.signOn).filter((m) => manifest.signOn[m as keyof Manifest['signOn']]);
  const scim = manifest.provisioning?.scim;
  return (
    <section className="panel" aria-labelledby="manifest-summary">
      <h2 id="manifest-summary">Manifest</h2>
      <dl className="facts">
        <dt>Id</dt><dd>{manifest.id}</dd>
        <dt>Version</dt><dd>{manifest.version}</dd>
        <dt>Vendor</dt><dd>{manifest.vendor.name} ({manifest.vendor.website})</dd>
        <dt>Website</dt><dd>{manifest.website}</dd>
        <dt>Category</dt><dd>{manifest.category}</dd>
        <dt>Description</dt><dd>{manifest.description}</dd>
        <dt>Tier asked for</dt><dd>{manifest.tier ?? 'community'}</dd>
        <dt>Sign-on modes</dt><dd>{modes.map((m) => modeLabels[m] ?? m).join(', ')}</dd>
        <dt>Provisioning</dt>
        <dd>{scim ? `SCIM at ${scim.baseUrl} (${scim.authScheme}): ${Object.entries(scim.operations).filter(([, on]) => on).map(([op]) => op).join(', ') || 'no operations'}` : 'none'}</dd>
        <dt>Tenant variables</dt>
        <dd>{manifest.variables?.length ? manifest.variables.map((v) => `${v.label} (${v.name}, e.g. ${v.example})`).join('; ') : 'none'}</dd>
        <dt>Contacts</dt>
        <dd>{Object.entries(manifest.contacts).filter(([, c]) => c).map(([role, c]) => `${role}: ${c!.email ?? c!.url}`).join('; ')}</dd>
      </dl>
      {modes.map((m) => manifest.signOn[m as keyof Manifest['signOn']]?.instructions ? (
        <div key={m}>
          <h3>Setup instructions ({modeLabels[m] ?? m})</h3>
          <p className="instructions">{manifest.signOn[m as keyof Manifest['signOn']]!.instructions}</p>
        </div>
      ) : null)}
    </section>
  );
}
