/** The documentation that is derived from code stays in step with it. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { envSchema } from '../../src/config/schema.ts';
import { errorsMarkdown } from '../../scripts/docs.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('documentation', () => {
  it('lists exactly the settings the configuration schema reads, in the README table', () => {
    const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## Orgs and URLs'));
    const documented = [...table.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect(documented).toEqual(Object.keys(envSchema.shape));
  });

  it('documents every error code, and no code that no longer exists (npm run docs)', () => {
    expect(readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8')).toBe(errorsMarkdown());
  });

  it('names the two set-up commands', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm test');
  });
});
