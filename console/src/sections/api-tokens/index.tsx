import type { Section } from '../section.ts';
import { PageHeader, EmptyState } from '../../components/ui.tsx';

function Placeholder() {
  return (
    <>
      <PageHeader title="API tokens" />
      <EmptyState title="This page is being built." />
    </>
  );
}

export const sections: Section[] = [
  { group: 'Settings', label: 'API tokens', path: 'api-tokens', scope: 'okta.apiTokens.read', routes: [{ path: 'api-tokens', element: <Placeholder /> }] },
];
