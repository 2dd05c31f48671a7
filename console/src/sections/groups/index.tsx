import type { Section } from '../section.ts';
import { PageHeader, EmptyState } from '../../components/ui.tsx';

function Placeholder() {
  return (
    <>
      <PageHeader title="Groups" />
      <EmptyState title="This page is being built." />
    </>
  );
}

export const sections: Section[] = [
  { group: 'Directory', label: 'Groups', path: 'groups', scope: 'okta.groups.read', routes: [{ path: 'groups', element: <Placeholder /> }] },
];
