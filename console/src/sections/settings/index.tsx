import type { Section } from '../section.ts';
import { PageHeader, EmptyState } from '../../components/ui.tsx';

function Placeholder() {
  return (
    <>
      <PageHeader title="Org settings" />
      <EmptyState title="This page is being built." />
    </>
  );
}

export const sections: Section[] = [
  { group: 'Settings', label: 'Org settings', path: 'settings', scope: 'okta.orgs.read', routes: [{ path: 'settings', element: <Placeholder /> }] },
];
