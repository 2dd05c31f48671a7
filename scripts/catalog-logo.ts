/**
 * Draws an integration's logo: its initials on a colour, in a rounded square. Original artwork
 * for every shipped integration, never a vendor's trademark.
 *
 *   node scripts/catalog-logo.ts slack "Sl" "#4a154b"   → catalog/integrations/slack/logo.svg
 *
 * The colour is optional (one is derived from the id); the initials are one to three letters.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const palette = ['#1d4ed8', '#047857', '#b45309', '#7c3aed', '#be123c', '#0e7490', '#4d7c0f', '#9d174d', '#334155', '#c2410c', '#4338ca', '#15803d'];

export function logoSvg(id: string, initials: string, colour?: string): string {
  if (!/^[A-Za-z0-9]{1,3}$/.test(initials)) throw new Error('initials must be one to three letters or digits');
  const fill = colour ?? palette[createHash('sha256').update(id).digest()[0]! % palette.length]!;
  if (!/^#[0-9a-f]{6}$/i.test(fill)) throw new Error('colour must be #rrggbb');
  const size = initials.length === 1 ? 34 : initials.length === 2 ? 28 : 21;
  return [
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64" role="img">',
    `<rect width="64" height="64" rx="14" fill="${fill}"/>`,
    `<text x="32" y="33" text-anchor="middle" dominant-baseline="central" font-family="DejaVu Sans, Arial, sans-serif" font-size="${size}" font-weight="bold" fill="#ffffff">${initials}</text>`,
    '</svg>',
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [id, initials, colour] = process.argv.slice(2);
  if (!id || !initials) {
    console.error('usage: node scripts/catalog-logo.ts <integration-id> <initials> [#rrggbb]');
    process.exit(2);
  }
  const target = new URL(`../catalog/integrations/${id}/logo.svg`, import.meta.url);
  writeFileSync(target, logoSvg(id, initials, colour));
  console.log(fileURLToPath(target));
}
