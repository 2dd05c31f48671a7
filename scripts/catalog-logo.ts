/**
 * Draws an integration's logo: its initials on a colour, in a rounded square. Original artwork
 * for every shipped integration, never a vendor's trademark.
 *
 *   node scripts/catalog-logo.ts slack "Sl" "#4a154b"   → catalog/integrations/slack/logo.svg
 *
 * The colour is optional (one is derived from the id); the initials are one to three letters.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { logoSvg } from '../src/catalog/logo-art.ts';

const [id, initials, colour] = process.argv.slice(2);
if (!id || !initials) {
  console.error('usage: node scripts/catalog-logo.ts <integration-id> <initials> [#rrggbb]');
  process.exit(2);
}
const target = new URL(`../catalog/integrations/${id}/logo.svg`, import.meta.url);
writeFileSync(target, logoSvg(id, initials, colour));
console.log(fileURLToPath(target));
