import type { RouteObject } from 'react-router';

export type NavGroup = 'Directory' | 'Applications' | 'Security' | 'Reports' | 'Settings' | 'Integration network';

/** One area of the console: its place in the navigation and its pages (paths relative to /admin). */
export interface Section {
  readonly group: NavGroup;
  readonly label: string;
  /** The first path segment, e.g. `users`: the navigation link is `/admin/{path}`. */
  readonly path: string;
  readonly routes: RouteObject[];
  /** Shown only when the admin's token carries this scope (or its `.manage` form). */
  readonly scope?: string;
}
