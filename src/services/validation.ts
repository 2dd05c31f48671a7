/** Turns zod failures into Okta's `E0000001` with one cause per field. */
import type { z } from 'zod';
import { validationError } from '../kernel/errors.ts';

/** `field: message` sentences, one per issue, as Okta writes `errorCauses`. */
export function issuesToCauses(error: z.ZodError, prefix?: string): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    const field = [prefix, path].filter(Boolean).join('.') || 'body';
    return `${field}: ${issue.message}`;
  });
}

export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, prefix?: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(issuesToCauses(result.error, prefix));
  return result.data;
}
