import type { Section } from '../section.ts';
import { UserList } from './user-list.tsx';
import { UserCreate } from './user-create.tsx';
import { UserPage } from './user-page.tsx';
import './people.css';

export const sections: Section[] = [
  {
    group: 'Directory', label: 'People', path: 'users', scope: 'okta.users.read',
    routes: [
      { path: 'users', element: <UserList /> },
      { path: 'users/new', element: <UserCreate /> },
      { path: 'users/:userId', element: <UserPage /> },
      { path: 'users/:userId/:tab', element: <UserPage /> },
    ],
  },
];
