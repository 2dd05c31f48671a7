/**
 * Tokens of the expression language, read the way SpEL reads them: strings in single or double
 * quotes where the only escape is the doubled quote (`'It''s'`) and a backslash is an ordinary
 * character (Okta's own examples write `"XDOMAIN\" + …`), decimal numbers, identifiers, and
 * operators. Characters that SpEL gives a meaning we do not support (`[`, `#`, `@`, `=`) are
 * rejected here with a hint, so the admin sees why rather than a bare "unexpected character".
 */
import { ExpressionSyntaxError } from './errors.ts';

export type Punctuation =
  | '(' | ')' | '{' | '}' | ',' | '.' | '?' | ':' | '?:'
  | '==' | '!=' | '<' | '<=' | '>' | '>=' | '&&' | '||' | '!' | '+' | '-';

export type Token =
  | { readonly kind: 'string'; readonly value: string; readonly pos: number }
  | { readonly kind: 'number'; readonly value: number; readonly pos: number }
  | { readonly kind: 'name'; readonly text: string; readonly pos: number }
  | { readonly kind: 'punct'; readonly text: Punctuation; readonly pos: number };

// Longest first, so `<=` wins over `<` and `?:` over `?`.
const punctuation: readonly Punctuation[] = [
  '==', '!=', '<=', '>=', '&&', '||', '?:',
  '(', ')', '{', '}', ',', '.', '?', ':', '<', '>', '!', '+', '-',
];

const hints: ReadonlyMap<string, string> = new Map([
  ['=', 'assignment is not supported; compare with =='],
  ['&', 'use && (or AND) for a logical and'],
  ['|', 'use || (or OR) for a logical or'],
  ['[', 'indexing is not supported; use Arrays.get(array, index)'],
  [']', 'indexing is not supported; use Arrays.get(array, index)'],
  ['#', 'variables (#name) are not supported'],
  ['@', 'bean references (@name) are not supported'],
  ['*', 'only + and - are supported as arithmetic'],
  ['/', 'only + and - are supported as arithmetic'],
  ['%', 'only + and - are supported as arithmetic'],
  ['^', 'only + and - are supported as arithmetic'],
  ['`', 'strings are quoted with \' or "'],
]);

const isNameStart = (c: string) => /[A-Za-z_$]/.test(c);
const isNamePart = (c: string) => /[A-Za-z0-9_$]/.test(c);

function readString(text: string, start: number): { value: string; end: number } {
  const quote = text[start]!;
  let value = '';
  let i = start + 1;
  for (;;) {
    if (i >= text.length) throw new ExpressionSyntaxError('unterminated string', start);
    const c = text[i]!;
    if (c === quote) {
      // SpEL's only escape: the quote doubled.
      if (text[i + 1] === quote) { value += quote; i += 2; continue; }
      return { value, end: i + 1 };
    }
    if (c.charCodeAt(0) < 0x20 && c !== '\t') throw new ExpressionSyntaxError('control character in string', i);
    value += c;
    i++;
  }
}

function readNumber(text: string, start: number): { value: number; end: number } {
  const match = /^[0-9]+(?:\.[0-9]+)?/.exec(text.slice(start, start + 64))!;
  const end = start + match[0].length;
  if (end < text.length && (isNamePart(text[end]!) || text[end] === '.')) {
    throw new ExpressionSyntaxError('invalid number (only decimal numbers such as 42 or 3.14 are supported)', start);
  }
  const value = Number(match[0]);
  const integral = !match[0].includes('.');
  if ((integral && !Number.isSafeInteger(value)) || !Number.isFinite(value)) {
    throw new ExpressionSyntaxError('number out of range', start);
  }
  return { value, end };
}

/** Splits expression text into tokens; throws {@link ExpressionSyntaxError} on a character no token can start with. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === '"' || c === "'") {
      const { value, end } = readString(text, i);
      tokens.push({ kind: 'string', value, pos: i });
      i = end;
    } else if (c >= '0' && c <= '9') {
      const { value, end } = readNumber(text, i);
      tokens.push({ kind: 'number', value, pos: i });
      i = end;
    } else if (isNameStart(c)) {
      let end = i + 1;
      while (end < text.length && isNamePart(text[end]!)) end++;
      tokens.push({ kind: 'name', text: text.slice(i, end), pos: i });
      i = end;
    } else {
      const op = punctuation.find((p) => text.startsWith(p, i));
      if (!op) {
        const hint = hints.get(c);
        const shown = JSON.stringify(String.fromCodePoint(text.codePointAt(i)!));
        throw new ExpressionSyntaxError(hint ? `unexpected ${shown}: ${hint}` : `unexpected character ${shown}`, i);
      }
      tokens.push({ kind: 'punct', text: op, pos: i });
      i += op.length;
    }
  }
  return tokens;
}
