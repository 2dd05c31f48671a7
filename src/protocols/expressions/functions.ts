/**
 * The registry of built-in functions: every name an expression may call, with its arity.
 * A `Map`, so a name such as `constructor` or `__proto__` can never resolve to anything.
 */
import { arrayFunctions } from './array-functions.ts';
import type { FunctionSpec } from './call-kit.ts';
import { groupFunctions } from './group-functions.ts';
import { stringFunctions } from './string-functions.ts';

export const functions: ReadonlyMap<string, FunctionSpec> = new Map([...stringFunctions, ...arrayFunctions, ...groupFunctions]);

/** Prefixes of qualified names: `String`, `Arrays`, `Convert`, `Groups`, `Time`. */
export const namespaces: ReadonlySet<string> = new Set(
  [...functions.keys()].filter((name) => name.includes('.')).map((name) => name.slice(0, name.indexOf('.'))),
);

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** The closest known function name, for "did you mean" hints; `undefined` when none is close. */
export function suggestFunction(name: string): string | undefined {
  // `stringContains` -> `String.stringContains`; `String.contains` -> `String.stringContains`.
  for (const space of namespaces) if (functions.has(`${space}.${name}`)) return `${space}.${name}`;
  const dot = name.indexOf('.');
  if (dot > 0 && name.length > dot + 3) {
    const [space, member] = [name.slice(0, dot), name.slice(dot + 1).toLowerCase()];
    const similar = [...functions.keys()].find((key) => key.startsWith(`${space}.`) && key.toLowerCase().slice(dot + 1).includes(member));
    if (similar) return similar;
  }
  let best: string | undefined;
  let bestScore = Math.max(2, Math.floor(name.length / 4)) + 1;
  for (const candidate of functions.keys()) {
    const score = distance(name.slice(0, 64), candidate);
    if (score < bestScore) { best = candidate; bestScore = score; }
  }
  return best;
}
