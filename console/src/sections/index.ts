/** Every area of the console, in navigation order. Each lives in its own folder. */
import type { Section } from './section.ts';
import { sections as users } from './users/index.tsx';
import { sections as groups } from './groups/index.tsx';
import { sections as apps } from './apps/index.tsx';
import { sections as authorizationServers } from './authorization-servers/index.tsx';
import { sections as logs } from './logs/index.tsx';
import { sections as settings } from './settings/index.tsx';
import { sections as apiTokens } from './api-tokens/index.tsx';
import { sections as integrations } from './integrations/index.tsx';
import { sections as review } from './review/index.tsx';

export const allSections: Section[] = [
  ...users, ...groups, ...apps, ...authorizationServers, ...logs, ...settings, ...apiTokens, ...integrations, ...review,
];
