import type { Section } from '../section.ts';
import { GroupList } from './group-list.tsx';
import { GroupPage } from './group-page.tsx';
import '../users/people.css';

export const sections: Section[] = [
  {
    group: 'Directory', label: 'Groups', path: 'groups', scope: 'okta.groups.read',
    routes: [
      { path: 'groups', element: <GroupList /> },
      { path: 'groups/:groupId', element: <GroupPage /> },
    ],
  },
];
