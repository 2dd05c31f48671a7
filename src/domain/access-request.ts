/**
 * Self-service app access requests (Lanyard's addition, after Okta's self-service app requests):
 * an admin marks an app requestable, names who decides (any org admin, or the owners of a group)
 * and what approval does (assign the user to the app, or add them to a group that has the app).
 *
 * ```mermaid
 * stateDiagram-v2
 *   [*] --> PENDING: user asks
 *   PENDING --> APPROVED: approver (not the requester)
 *   PENDING --> DENIED: approver (not the requester)
 * ```
 */
import { z } from 'zod';

export const accessRequestStatuses = ['PENDING', 'APPROVED', 'DENIED'] as const;
export type AccessRequestStatus = (typeof accessRequestStatuses)[number];

const id = z.string().min(1).max(100);

/** `PUT /api/v1/apps/{appId}/access-request-settings`: the body, with its cross-field rules. */
export const appAccessSettingsSchema = z.object({
  requestable: z.boolean(),
  approver: z.discriminatedUnion('type', [
    z.object({ type: z.literal('ADMIN') }).strict(),
    z.object({ type: z.literal('GROUP_OWNERS'), groupId: id }).strict(),
  ]),
  onApproval: z.discriminatedUnion('type', [
    z.object({ type: z.literal('ASSIGN_USER') }).strict(),
    z.object({ type: z.literal('ADD_TO_GROUP'), groupId: id }).strict(),
  ]),
}).strict();

export type AppAccessSettings = z.infer<typeof appAccessSettingsSchema>;

/** What an app has until an admin says otherwise: nobody may ask for it. */
export const notRequestable: AppAccessSettings = {
  requestable: false, approver: { type: 'ADMIN' }, onApproval: { type: 'ASSIGN_USER' },
};

export interface AccessRequest {
  readonly id: string;
  readonly orgId: string;
  readonly appId: string;
  readonly userId: string;
  readonly reason: string | null;
  readonly status: AccessRequestStatus;
  readonly created: string;
  readonly decided: string | null;
  /** The user id of whoever decided. */
  readonly decidedBy: string | null;
}

/** The longest reason a requester may give. */
export const maxReasonLength = 500;
