import type { Section } from '../section.ts';
import { PageHeader, EmptyState } from '../../components/ui.tsx';

function Placeholder() {
  return (
    <>
      <PageHeader title="Authorization servers" />
      <EmptyState title="This page is being built." />
    </>
  );
}

export const sections: Section[] = [
  { group: 'Security', label: 'Authorization servers', path: 'authorization-servers', scope: 'okta.authorizationServers.read', routes: [{ path: 'authorization-servers', element: <Placeholder /> }] },
];
