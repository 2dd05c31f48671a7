import type { Section } from '../section.ts';
import { AppPage } from './AppPage.tsx';
import { AppsList } from './AppsList.tsx';
import { Catalog } from './Catalog.tsx';
import { CatalogIntegration } from './CatalogIntegration.tsx';
import { CreateApp } from './CreateApp.tsx';

export const sections: Section[] = [
  {
    group: 'Applications', label: 'Applications', path: 'apps', scope: 'okta.apps.read',
    routes: [
      { path: 'apps', element: <AppsList /> },
      { path: 'apps/catalog', element: <Catalog /> },
      { path: 'apps/catalog/:integrationId', element: <CatalogIntegration /> },
      { path: 'apps/new', element: <CreateApp /> },
      { path: 'apps/:appId', element: <AppPage /> },
      { path: 'apps/:appId/:tab', element: <AppPage /> },
    ],
  },
];
