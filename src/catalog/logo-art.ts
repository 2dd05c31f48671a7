/**
 * Original logos: initials on a colour, in a rounded square. Every shipped integration has one,
 * and the wizard draws one for an integration whose vendor has not uploaded a logo yet.
 */
import { createHash } from 'node:crypto';

const palette = ['#1d4ed8', '#047857', '#b45309', '#7c3aed', '#be123c', '#0e7490', '#4d7c0f', '#9d174d', '#334155', '#c2410c', '#4338ca', '#15803d'];

/** Up to two initials of a name: "Acme Wiki" → "AW", "slack" → "Sl". */
export function initialsOf(name: string): string {
  const words = name.match(/[A-Za-z0-9]+/g) ?? ['?'];
  if (words.length === 1) {
    const word = words[0]!;
    return (word[0]!.toUpperCase() + (word[1] ?? '').toLowerCase()).replace(/[^A-Za-z0-9]/g, '') || 'In';
  }
  return (words[0]![0]! + words[1]![0]!).toUpperCase();
}

/** The SVG document; the colour is derived from `id` unless given. */
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
