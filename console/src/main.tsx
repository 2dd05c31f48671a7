/**
 * The admin console. It signs the admin in with the org authorization server (PKCE), then every
 * page works through Lanyard's public API with the access token.
 */
import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter, Link, RouterProvider, type RouteObject } from 'react-router';
import { completeSignIn, currentTokens, signIn, type Tokens } from './auth.ts';
import { ErrorNotice, Loading, PageHeader } from './components/ui.tsx';
import { allSections } from './sections/index.ts';
import { hasScope, Shell } from './shell.tsx';
import './styles.css';

function Overview({ tokens }: { tokens: Tokens }) {
  const sections = allSections.filter((s) => hasScope(tokens, s.scope));
  return (
    <>
      <PageHeader title="Overview" description="Everything an administrator does in Lanyard, through its public API." />
      <ul className="cards">
        {sections.map((s) => <li key={s.path}><Link to={`/${s.path}`}>{s.label}</Link><span>{s.group}</span></li>)}
      </ul>
    </>
  );
}

function NotFound() {
  return (
    <>
      <PageHeader title="Page not found" />
      <p>There is no console page here. <Link to="/">Go to the overview</Link>.</p>
    </>
  );
}

function Callback() {
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    completeSignIn(window.location.search).then((to) => window.location.replace(to), setError);
  }, []);
  return error
    ? <main id="main" className="standalone"><h1>Could not sign in to the admin console</h1><ErrorNotice error={error} /><p><a href="/admin/">Try again</a> · <a href="/">Your apps</a></p></main>
    : <main id="main" className="standalone"><Loading label="Signing you in…" /></main>;
}

function start(): void {
  const root = createRoot(document.getElementById('root')!);
  if (window.location.pathname === '/admin/callback') {
    root.render(<StrictMode><Callback /></StrictMode>);
    return;
  }
  const tokens = currentTokens();
  if (!tokens) {
    root.render(<main id="main" className="standalone"><Loading label="Signing you in…" /></main>);
    void signIn();
    return;
  }
  const routes: RouteObject[] = [{
    path: '/',
    element: <Shell tokens={tokens} sections={allSections} />,
    children: [
      { index: true, element: <Overview tokens={tokens} /> },
      ...allSections.flatMap((s) => s.routes),
      { path: '*', element: <NotFound /> },
    ],
  }];
  const router = createBrowserRouter(routes, { basename: '/admin' });
  root.render(<StrictMode><RouterProvider router={router} /></StrictMode>);
}

start();
