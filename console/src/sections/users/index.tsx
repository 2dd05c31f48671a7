import type { Section } from '../section.ts';
import { PageHeader, EmptyState } from '../../components/ui.tsx';

function Placeholder() {
  return (
    <>
      <PageHeader title="People" />
      <EmptyState title="This page is being built." />
    </>
  );
}

export const sections: Section[] = [
  { group: 'Directory', label: 'People', path: 'users', scope: 'okta.users.read', routes: [{ path: 'users', element: <Placeholder /> }] },
];
