/** A client id and secret shown right after they were made: the secret is not shown again. */
export function OnceSecret({ clientId, secret }: { clientId: string | undefined; secret: string | undefined }) {
  return (
    <section className="card" aria-labelledby="once-secret-heading">
      <h2 id="once-secret-heading">Client credentials</h2>
      <dl className="facts">
        {clientId ? <><dt>Client ID</dt><dd><code>{clientId}</code></dd></> : null}
        {secret ? <><dt>Client secret</dt><dd><code data-testid="client-secret">{secret}</code></dd></> : null}
      </dl>
      {secret
        ? <p className="notice info" role="status">Copy the client secret now: Lanyard will not show it again.</p>
        : <p className="hint">This client has no secret: it proves itself with PKCE.</p>}
    </section>
  );
}
