/** Groups as Okta shows them: `OKTA_GROUP` with a name and description, and their memberships. */
import { z } from 'zod';

export interface Group {
  readonly id: string;
  readonly orgId: string;
  readonly type: 'OKTA_GROUP' | 'BUILT_IN' | 'APP_GROUP';
  readonly name: string;
  readonly description: string | null;
  readonly profile: Record<string, unknown>;
  readonly created: string;
  readonly lastUpdated: string;
  readonly lastMembershipUpdated: string;
}

export const groupProfileSchema = z.object({
  name: z.string().trim().min(1, 'The field cannot be left blank').max(255, 'must be at most 255 characters'),
  description: z.string().max(1024, 'must be at most 1024 characters').nullable().optional(),
}).catchall(z.union([z.string().max(4096), z.number().finite(), z.boolean(), z.null()]));

export type GroupProfile = z.infer<typeof groupProfileSchema>;

/** The built-in group every user of an org belongs to, as in Okta. */
export const everyoneGroupName = 'Everyone';
