/**
 * Request bodies, read with a size limit before anything parses them. JSON for the API, URL-encoded
 * forms for pages. Failures are registered errors: 413 too large, 415 wrong type, 400 malformed.
 */
import { AppError, validationError } from '../kernel/errors.ts';
import type { LanyardContext } from './state.ts';

/** Largest API request body (Okta's own limit for most endpoints is about 1 MB). */
export const maxJsonBytes = 1024 * 1024;
export const maxFormBytes = 64 * 1024;

async function readRaw(ctx: LanyardContext, limit: number): Promise<Buffer> {
  const declared = Number(ctx.get('content-length') || '0');
  if (declared > limit) throw new AppError('request.too_large', { detail: `the body is larger than ${limit} bytes` });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      // Stop reading; the connection is closed after the response so nothing more is buffered.
      ctx.set('Connection', 'close');
      throw new AppError('request.too_large', { detail: `the body is larger than ${limit} bytes` });
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function hasBody(ctx: LanyardContext): boolean {
  return Number(ctx.get('content-length') || '0') > 0 || ctx.get('transfer-encoding') !== '';
}

/**
 * Text with a NUL character cannot be stored (PostgreSQL refuses it) and is never legitimate in a
 * name, profile or query: refuse it up front, for every store alike.
 */
export function rejectNul(value: unknown, where: string): void {
  const walk = (v: unknown, path: string): void => {
    if (typeof v === 'string') {
      if (v.includes('\u0000')) throw validationError([`${path || where}: must not contain a NUL character`], path || where);
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => walk(item, `${path}[${i}]`));
    } else if (v && typeof v === 'object') {
      for (const [key, item] of Object.entries(v)) {
        walk(key, path);
        walk(item, path ? `${path}.${key}` : key);
      }
    }
  };
  walk(value, '');
}

/** The JSON body, or `undefined` when the request has none. Objects only, as Okta's API takes. */
export async function readJson(ctx: LanyardContext): Promise<unknown> {
  if (!hasBody(ctx)) return undefined;
  const raw = await readRaw(ctx, maxJsonBytes);
  if (raw.length === 0) return undefined;
  const type = ctx.get('content-type');
  if (type && !/^application\/([a-z.+-]*\+)?json\b/i.test(type)) {
    throw new AppError('request.unsupported_media_type', { causes: [`Content-Type ${type.slice(0, 100)} is not application/json`] });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw new AppError('request.malformed_body', { causes: [(error as Error).message.slice(0, 200)] });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new AppError('request.malformed_body', { causes: ['The body must be a JSON object.'] });
  }
  rejectNul(parsed, 'body');
  return parsed;
}

/** The fields of a URL-encoded form; repeated fields keep their first value. */
export async function readForm(ctx: LanyardContext): Promise<Record<string, string>> {
  const type = ctx.get('content-type');
  if (!/^application\/x-www-form-urlencoded\b/i.test(type)) {
    throw new AppError('request.unsupported_media_type', { causes: ['Forms must be sent as application/x-www-form-urlencoded'] });
  }
  const raw = await readRaw(ctx, maxFormBytes);
  const fields: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(raw.toString('utf8'))) {
    if (!(key in fields)) fields[key] = value;
  }
  rejectNul(fields, 'form');
  return fields;
}
