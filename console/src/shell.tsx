/** The frame of every console page: skip link, header, navigation by area, main content. */
import { useEffect, useRef } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router';
import { identityOf, signOut, type Tokens } from './auth.ts';
import type { NavGroup, Section } from './sections/section.ts';

const groupOrder: NavGroup[] = ['Directory', 'Applications', 'Security', 'Reports', 'Settings', 'Integration network'];

export function hasScope(tokens: Tokens, scope: string | undefined): boolean {
  if (!scope) return true;
  return tokens.scopes.includes(scope) || tokens.scopes.includes(scope.replace(/\.read$/, '.manage'));
}

export function Shell({ tokens, sections }: { tokens: Tokens; sections: readonly Section[] }) {
  const me = identityOf(tokens);
  const main = useRef<HTMLElement>(null);
  const location = useLocation();
  // After navigating, focus moves to the new page's content so screen readers start there.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [location.pathname]);
  const visible = sections.filter((s) => hasScope(tokens, s.scope));
  return (
    <div className="shell">
      <a className="skip" href="#main">Skip to content</a>
      <header className="top">
        <NavLink to="/" className="brand">Lanyard <span>Admin</span></NavLink>
        <div className="who">
          <span>{me.name}</span>
          <a href="/">My apps</a>
          <button type="button" onClick={() => signOut(tokens)}>Sign out</button>
        </div>
      </header>
      <nav className="side" aria-label="Console">
        {groupOrder.map((group) => {
          const items = visible.filter((s) => s.group === group);
          if (!items.length) return null;
          return (
            <div key={group} className="nav-group">
              <h2>{group}</h2>
              <ul>
                {items.map((s) => <li key={s.path}><NavLink to={`/${s.path}`}>{s.label}</NavLink></li>)}
              </ul>
            </div>
          );
        })}
      </nav>
      <main id="main" ref={main} tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
