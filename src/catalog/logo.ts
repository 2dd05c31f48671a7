/**
 * Integration logos: an SVG or a PNG, small, and safe to show on any page. An SVG may draw and
 * nothing else — no script, no event handler, no link or reference outside itself, no embedded
 * document — checked element by element against an allow-list after a parse that refuses DTDs.
 * A PNG must be a real PNG (signature and header) of sensible dimensions.
 */
import { parseXml, SamlError } from '../protocols/saml/xml.ts';
import type { Element } from '@xmldom/xmldom';

export const logoLimits = { svgBytes: 64 * 1024, pngBytes: 256 * 1024, minPixels: 32, maxPixels: 1024 } as const;

export const logoMediaTypes = ['image/svg+xml', 'image/png'] as const;
export type LogoMediaType = (typeof logoMediaTypes)[number];

const svgNamespace = 'http://www.w3.org/2000/svg';
const xlinkNamespace = 'http://www.w3.org/1999/xlink';

const drawingElements = new Set([
  'svg', 'g', 'defs', 'title', 'desc', 'rect', 'circle', 'ellipse', 'line', 'polyline', 'polygon', 'path',
  'text', 'tspan', 'linearGradient', 'radialGradient', 'stop', 'clipPath', 'mask', 'use', 'symbol',
]);

const presentationAttributes = new Set([
  'id', 'class', 'width', 'height', 'viewBox', 'preserveAspectRatio', 'x', 'y', 'x1', 'y1', 'x2', 'y2', 'cx', 'cy', 'r', 'rx', 'ry',
  'd', 'points', 'fill', 'fill-opacity', 'fill-rule', 'stroke', 'stroke-width', 'stroke-opacity', 'stroke-linecap',
  'stroke-linejoin', 'stroke-dasharray', 'opacity', 'transform', 'font-family', 'font-size', 'font-weight', 'font-style',
  'text-anchor', 'dominant-baseline', 'alignment-baseline', 'letter-spacing', 'dx', 'dy', 'offset', 'stop-color', 'stop-opacity',
  'gradientUnits', 'gradientTransform', 'fx', 'fy', 'clip-path', 'clip-rule', 'mask', 'role', 'aria-label', 'aria-hidden',
  'version', 'xmlns', 'href', 'style', 'spreadMethod', 'maskUnits', 'clipPathUnits', 'lang', 'xml:space', 'xml:lang',
]);

/** Why a logo cannot be used, or undefined. `data` is the decoded file. */
export function logoProblem(mediaType: LogoMediaType, data: Buffer): string | undefined {
  return mediaType === 'image/png' ? pngProblem(data) : svgProblem(data);
}

function pngProblem(data: Buffer): string | undefined {
  if (data.length > logoLimits.pngBytes) return `must be at most ${logoLimits.pngBytes / 1024} KB`;
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (data.length < 33 || !data.subarray(0, 8).equals(signature) || data.toString('latin1', 12, 16) !== 'IHDR') {
    return 'is not a PNG image';
  }
  const width = data.readUInt32BE(16);
  const height = data.readUInt32BE(20);
  const { minPixels, maxPixels } = logoLimits;
  if (width < minPixels || height < minPixels || width > maxPixels || height > maxPixels) {
    return `must be between ${minPixels} and ${maxPixels} pixels wide and high (this one is ${width}×${height})`;
  }
  return undefined;
}

/** A reference inside the document (`#id`) or none at all; anything else reaches outside it. */
const localReference = (value: string) => /^#[A-Za-z_][\w.-]*$/.test(value.trim());

function styleProblem(value: string): string | undefined {
  const lowered = value.toLowerCase();
  if (lowered.includes('@import') || lowered.includes('expression(') || lowered.includes('javascript:')) return 'style must only draw';
  for (const match of value.matchAll(/url\(\s*['"]?([^'")]*)/gi)) {
    if (!localReference(match[1]!)) return 'style may refer only to elements of the logo itself (url(#id))';
  }
  return undefined;
}

function svgProblem(data: Buffer): string | undefined {
  if (data.length > logoLimits.svgBytes) return `must be at most ${logoLimits.svgBytes / 1024} KB`;
  const text = data.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(data)) return 'must be UTF-8 text';
  let root: Element | null;
  try {
    root = parseXml(text, logoLimits.svgBytes).documentElement;
  } catch (error) {
    if (error instanceof SamlError) return `is not a well-formed SVG document (${error.message})`;
    throw error;
  }
  if (!root || root.namespaceURI !== svgNamespace || root.localName !== 'svg') return 'must be an SVG document (<svg xmlns="http://www.w3.org/2000/svg">)';
  if (!root.getAttribute('viewBox') && !(root.getAttribute('width') && root.getAttribute('height'))) {
    return 'must give a viewBox (or a width and a height)';
  }
  const pending: Element[] = [root];
  while (pending.length > 0) {
    const element = pending.pop()!;
    if (element.namespaceURI !== svgNamespace || !drawingElements.has(element.localName!)) {
      return `must only draw: <${element.tagName}> is not allowed`;
    }
    for (let i = 0; i < element.attributes.length; i++) {
      const attribute = element.attributes.item(i)!;
      const name = attribute.name;
      const value = attribute.value;
      if (name.startsWith('xmlns')) {
        if (name !== 'xmlns' && name !== 'xmlns:xlink') return `must not declare the namespace ${name}`;
        continue;
      }
      const isHref = name === 'href' || (attribute.namespaceURI === xlinkNamespace && attribute.localName === 'href');
      if (isHref) {
        if (!localReference(value)) return `<${element.tagName}> may refer only to elements of the logo itself (href="#id")`;
        continue;
      }
      if (!presentationAttributes.has(name)) return `must only draw: the attribute ${name} on <${element.tagName}> is not allowed`;
      const style = name === 'style' ? styleProblem(value) : undefined;
      if (style) return style;
      if (/url\(/i.test(value) && name !== 'style') {
        const target = /url\(\s*['"]?([^'")]*)/i.exec(value)?.[1] ?? '';
        if (!localReference(target)) return `the attribute ${name} may refer only to elements of the logo itself (url(#id))`;
      }
    }
    for (let child = element.firstChild; child; child = child.nextSibling) {
      if (child.nodeType === child.ELEMENT_NODE) pending.push(child as Element);
      else if (child.nodeType === child.CDATA_SECTION_NODE) return 'must not contain CDATA sections';
    }
  }
  return undefined;
}

/** A logo as a `data:` URL, for embedding in JSON and pages. */
export function logoDataUrl(mediaType: LogoMediaType, base64: string): string {
  return `data:${mediaType};base64,${base64}`;
}
