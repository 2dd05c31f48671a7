import type { Section } from '../section.ts';
import { PageHeader, EmptyState } from '../../components/ui.tsx';

function Placeholder() {
  return (
    <>
      <PageHeader title="Applications" />
      <EmptyState title="This page is being built." />
    </>
  );
}

export const sections: Section[] = [
  { group: 'Applications', label: 'Applications', path: 'apps', scope: 'okta.apps.read', routes: [{ path: 'apps', element: <Placeholder /> }] },
];
