import type { Section } from '../section.ts';
import { PageHeader, EmptyState } from '../../components/ui.tsx';

function Placeholder() {
  return (
    <>
      <PageHeader title="Review queue" />
      <EmptyState title="This page is being built." />
    </>
  );
}

export const sections: Section[] = [
  { group: 'Integration network', label: 'Review queue', path: 'review', scope: 'lanyard.reviews.read', routes: [{ path: 'review', element: <Placeholder /> }] },
];
