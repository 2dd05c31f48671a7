import type { Section } from '../section.ts';
import { PageHeader, EmptyState } from '../../components/ui.tsx';

function Placeholder() {
  return (
    <>
      <PageHeader title="System log" />
      <EmptyState title="This page is being built." />
    </>
  );
}

export const sections: Section[] = [
  { group: 'Reports', label: 'System log', path: 'logs', scope: 'okta.logs.read', routes: [{ path: 'logs', element: <Placeholder /> }] },
];
