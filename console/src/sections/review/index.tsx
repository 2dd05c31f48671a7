/**
 * The integration network's review queue, for reviewers (NETWORK_REVIEWER in the deployment's
 * first org): submitted versions waiting for a decision, one submission with its manifest, check
 * results and test accounts, comments, approval at a tier, rejection with a reason, and the
 * versions already decided. Everything through `/api/v1/network/reviews`.
 */
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import type { Section } from '../section.ts';
import { api, ApiError, path } from '../../api.ts';
import { useAction, useAsync } from '../../components/async.ts';
import {
  BackLink, CheckboxField, DataTable, EmptyState, ErrorNotice, Loading, PageHeader, SelectField, StatusBadge, StatusNotice, TextField,
} from '../../components/ui.tsx';
import { CheckResults, ManifestSummary, ReviewHistory, when, type IntegrationVersion } from '../integrations/network-ui.tsx';

interface ReviewItem extends IntegrationVersion {
  readonly id: string;
  readonly name: string;
  readonly vendorOrgId: string;
  readonly testAppId: string | null;
}

const reviewPath = (id: string, version: string) => `/review/${encodeURIComponent(id)}/versions/${encodeURIComponent(version)}`;

/** The API's answer to someone who is not a reviewer, said plainly. */
function NotReviewer({ error }: { error: unknown }) {
  if (error instanceof ApiError && error.status === 403) {
    return <EmptyState title="Only integration network reviewers see the review queue.">A super administrator of the deployment's first organization grants the Integration Network Reviewer role.</EmptyState>;
  }
  return <ErrorNotice error={error} title="Could not load the review queue" />;
}

function ReviewQueuePage() {
  const [view, setView] = useState<'SUBMITTED' | 'PUBLISHED' | 'REJECTED'>('SUBMITTED');
  const list = useAsync(() => api.get<ReviewItem[]>(view === 'SUBMITTED' ? '/api/v1/network/reviews' : path`/api/v1/network/reviews?status=${view}`), [view]);
  const caption = view === 'SUBMITTED' ? 'Submissions waiting for review, oldest first' : view === 'PUBLISHED' ? 'Approved and published versions' : 'Rejected versions';
  return (
    <>
      <PageHeader title="Review queue" description="Integrations vendors submitted to the network. Approving one publishes it to every organization's catalog." />
      <div className="toolbar">
        <SelectField label="Show" value={view} onChange={(v) => setView(v as typeof view)} options={[
          { value: 'SUBMITTED', label: 'Waiting for review' }, { value: 'PUBLISHED', label: 'Approved' }, { value: 'REJECTED', label: 'Rejected' },
        ]} />
      </div>
      {list.error ? <NotReviewer error={list.error} /> : null}
      {list.loading && !list.data ? <Loading /> : null}
      {list.data && !list.error ? (
        <section aria-labelledby="queue-heading">
          <h2 id="queue-heading">{caption}</h2>
          <DataTable caption={caption} rows={list.data} rowKey={(q) => `${q.id}@${q.version}`}
            empty={<EmptyState title={view === 'SUBMITTED' ? 'Nothing is waiting for review.' : 'No versions here yet.'} />}
            columns={[
              { header: 'Integration', cell: (q) => <Link to={reviewPath(q.id, q.version)}>{q.name} {q.version}</Link> },
              { header: 'Id', cell: (q) => q.id },
              { header: 'Status', cell: (q) => <StatusBadge status={q.status} /> },
              { header: 'Tier', cell: (q) => q.tier ?? q.submission?.tier ?? '—' },
              { header: 'Checks', cell: (q) => q.submission ? <StatusBadge status={q.submission.report.result} /> : '—' },
              { header: view === 'SUBMITTED' ? 'Submitted' : 'Decided', cell: (q) => when(view === 'PUBLISHED' ? q.published : view === 'REJECTED' ? q.lastUpdated : q.submitted) },
            ]} />
        </section>
      ) : null}
    </>
  );
}

function ReviewPage() {
  const { integrationId = '', version = '' } = useParams();
  const item = useAsync(() => api.get<ReviewItem>(path`/api/v1/network/reviews/${integrationId}/versions/${version}`), [integrationId, version]);
  const [message, setMessage] = useState<string>();
  const decided = (text: string) => {
    setMessage(text);
    item.reload();
  };
  const v = item.data;
  return (
    <>
      <BackLink to="/review">Review queue</BackLink>
      <PageHeader title={`Review: ${v?.name ?? integrationId} ${version}`} description={v ? <>Status: <StatusBadge status={v.status} />{v.tier ? <> · {v.tier}</> : null}</> : undefined} />
      {item.error ? <NotReviewer error={item.error} /> : null}
      <StatusNotice message={message} />
      {!v ? (item.loading ? <Loading /> : null) : (
        <div className="stack">
          <section className="panel" aria-labelledby="submission-heading">
            <h2 id="submission-heading">Submission</h2>
            <dl className="facts">
              <dt>Vendor organization</dt><dd>{v.vendorOrgId}</dd>
              <dt>Submitted</dt><dd>{when(v.submitted)}</dd>
              <dt>Tier asked for</dt><dd>{v.submission?.tier ?? '—'}</dd>
              <dt>Notes</dt><dd className="review-text">{v.submission?.notes ?? '—'}</dd>
              <dt>Test accounts</dt>
              <dd>{v.submission?.testAccounts.length ? v.submission.testAccounts.map((a) => `${a.username}${a.expires ? ' (expires)' : ''}${a.notes ? ` — ${a.notes}` : ''}`).join('; ') : 'none'}</dd>
              <dt>SCIM credentials</dt><dd>{v.submission?.scimCredentials ?? 'none'}</dd>
            </dl>
          </section>
          {v.status === 'SUBMITTED' ? <Decide integrationId={integrationId} version={version} askedTier={v.submission?.tier ?? 'community'} onDecided={decided} /> : null}
          <CheckResults report={v.submission?.report} />
          {v.manifest ? <ManifestSummary manifest={v.manifest} /> : null}
          <ReviewHistory entries={v.review?.entries} />
          <Comment integrationId={integrationId} version={version} onDone={() => decided('Comment added; the vendor sees it.')} />
        </div>
      )}
    </>
  );
}

function Decide({ integrationId, version, askedTier, onDecided }: { integrationId: string; version: string; askedTier: string; onDecided: (message: string) => void }) {
  const [tier, setTier] = useState(askedTier);
  const [signOff, setSignOff] = useState(false);
  const [comment, setComment] = useState('');
  const [reason, setReason] = useState('');
  const approve = useAction(async () => {
    await api.post(path`/api/v1/network/reviews/${integrationId}/versions/${version}/approve`, {
      tier, ...(tier === 'verified' ? { verifiedSignOff: signOff } : {}), ...(comment.trim() ? { comment: comment.trim() } : {}),
    });
    onDecided(`Approved and published as ${tier}.`);
  });
  const reject = useAction(async () => {
    await api.post(path`/api/v1/network/reviews/${integrationId}/versions/${version}/reject`, { reason });
    onDecided('Rejected; the vendor sees the reason.');
  });
  return (
    <section className="panel" aria-labelledby="decide-heading">
      <h2 id="decide-heading">Decide</h2>
      <form noValidate onSubmit={(e) => { e.preventDefault(); void approve.run(); }} aria-labelledby="approve-heading">
        <h3 id="approve-heading">Approve</h3>
        <SelectField label="Publish at tier" value={tier} onChange={setTier}
          options={[{ value: 'community', label: 'Community' }, { value: 'verified', label: 'Verified' }]} />
        {tier === 'verified' ? <CheckboxField label="I signed in to the app with the vendor's test accounts" checked={signOff} onChange={setSignOff}
          hint="A verified listing needs this sign-off, four contacts with email and two test accounts that never expire." /> : null}
        <TextField label="Comment for the vendor (optional)" value={comment} onChange={setComment} />
        <ErrorNotice error={approve.error} title="The version was not approved" />
        <div className="toolbar"><button type="submit" className="primary" disabled={approve.busy || reject.busy}>Approve and publish</button></div>
      </form>
      <form noValidate onSubmit={(e) => { e.preventDefault(); void reject.run(); }} aria-labelledby="reject-heading">
        <h3 id="reject-heading">Reject</h3>
        <TextField label="Reason for rejecting" required multiline value={reason} onChange={setReason} hint="The vendor reads it, changes the draft and may submit again." />
        <ErrorNotice error={reject.error} title="The version was not rejected" />
        <div className="toolbar"><button type="submit" className="danger" disabled={approve.busy || reject.busy}>Reject</button></div>
      </form>
    </section>
  );
}

function Comment({ integrationId, version, onDone }: { integrationId: string; version: string; onDone: () => void }) {
  const [text, setText] = useState('');
  const send = useAction(async () => {
    await api.post(path`/api/v1/network/reviews/${integrationId}/versions/${version}/comments`, { text });
    setText('');
    onDone();
  });
  return (
    <section className="panel" aria-labelledby="comment-heading">
      <h2 id="comment-heading">Comment</h2>
      <form noValidate onSubmit={(e) => { e.preventDefault(); void send.run(); }}>
        <TextField label="Comment" multiline value={text} onChange={setText} />
        <ErrorNotice error={send.error} title="The comment was not added" />
        <div className="toolbar"><button type="submit" disabled={send.busy}>Add comment</button></div>
      </form>
    </section>
  );
}

export const sections: Section[] = [
  {
    group: 'Integration network', label: 'Review queue', path: 'review', scope: 'lanyard.reviews.read',
    routes: [
      { path: 'review', element: <ReviewQueuePage /> },
      { path: 'review/:integrationId/versions/:version', element: <ReviewPage /> },
    ],
  },
];
