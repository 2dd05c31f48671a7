import type { Section } from '../section.ts';
import { PageHeader, EmptyState } from '../../components/ui.tsx';

function Placeholder() {
  return (
    <>
      <PageHeader title="My integrations" />
      <EmptyState title="This page is being built." />
    </>
  );
}

export const sections: Section[] = [
  { group: 'Integration network', label: 'My integrations', path: 'integrations', scope: 'lanyard.integrations.read', routes: [{ path: 'integrations', element: <Placeholder /> }] },
];
