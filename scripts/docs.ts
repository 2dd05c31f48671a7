/**
 * Writes the generated reference documents: docs/errors.md from the error-code registry.
 * `npm run docs` rewrites them; a test fails when they are out of date.
 */
import { writeFileSync } from 'node:fs';
import { errorRegistry } from '../src/kernel/errors.ts';

export function errorsMarkdown(): string {
  const rows = Object.entries(errorRegistry).map(([code, spec]) =>
    `| \`${code}\` | ${spec.status} | ${spec.okta} | ${spec.summary.replace(/\|/g, '\\|')} | ${spec.hint.replace(/\|/g, '\\|')} |`);
  return [
    '# Error codes',
    '',
    'Every failure a caller can cause has one code. `/api/v1` answers it in Okta\'s shape with the',
    'Okta code and HTTP status below; `{0}` in a summary is replaced by the detail of the failure.',
    'This file is generated from `src/kernel/errors.ts` by `npm run docs`.',
    '',
    '| code | status | Okta code | summary | what to do |',
    '|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

if (import.meta.main) {
  writeFileSync(new URL('../docs/errors.md', import.meta.url), errorsMarkdown());
}
