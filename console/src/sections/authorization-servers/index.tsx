import type { Section } from '../section.ts';
import { AuthorizationServerList } from './list.tsx';
import { AuthorizationServerPage } from './server.tsx';

export const sections: Section[] = [
  {
    group: 'Security', label: 'Authorization servers', path: 'authorization-servers', scope: 'okta.authorizationServers.read',
    routes: [
      { path: 'authorization-servers', element: <AuthorizationServerList /> },
      { path: 'authorization-servers/:serverId/:tab?', element: <AuthorizationServerPage /> },
    ],
  },
];
