/** The tree {@link parseExpression} produces, and a printer that shows its structure. */
import type { SafeRegex } from './regex.ts';
import type { ExpressionScalar } from './values.ts';

/** Where attribute paths start. `group` exists only inside `getFilteredGroups`'s group expression. */
export type RootName = 'user' | 'appuser' | 'app' | 'org' | 'session' | 'group';
export const contextRoots: readonly RootName[] = ['user', 'appuser', 'app', 'org', 'session'];

export type ComparisonOperator = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'matches';

/** A node of the tree; `pos` is the offset of the token that introduced it. */
export type Node =
  | { readonly kind: 'literal'; readonly value: ExpressionScalar; readonly pos: number }
  | { readonly kind: 'array'; readonly items: readonly Node[]; readonly pos: number }
  | { readonly kind: 'attribute'; readonly root: RootName; readonly path: readonly string[]; readonly pos: number }
  | { readonly kind: 'internal'; readonly property: 'id' | 'status'; readonly pos: number }
  | { readonly kind: 'not' | 'negate'; readonly operand: Node; readonly pos: number }
  | { readonly kind: 'add' | 'subtract' | 'and' | 'or'; readonly left: Node; readonly right: Node; readonly pos: number }
  | {
    readonly kind: 'compare'; readonly op: ComparisonOperator; readonly left: Node; readonly right: Node; readonly pos: number;
    /** For `matches` with a literal pattern: compiled when the expression is saved. */
    readonly pattern?: SafeRegex;
  }
  | { readonly kind: 'conditional'; readonly test: Node; readonly then: Node; readonly otherwise: Node; readonly pos: number }
  | { readonly kind: 'elvis'; readonly value: Node; readonly fallback: Node; readonly pos: number }
  | {
    readonly kind: 'call'; readonly name: string; readonly args: readonly Node[]; readonly pos: number;
    /** A literal regular-expression argument, compiled when the expression is saved. */
    readonly pattern?: SafeRegex;
    /** `getFilteredGroups`'s second argument, parsed with `group` as a root. */
    readonly groupExpression?: Node;
  };

const binarySymbols = { add: '+', subtract: '-', and: '&&', or: '||' } as const;

/**
 * Prints a tree fully parenthesised, strings in double quotes: `(user.a + ("b" == user.c))`.
 * Parsing the output gives the same tree, so it doubles as a canonical form for logs and tests.
 */
export function printNode(node: Node): string {
  switch (node.kind) {
    case 'literal':
      if (typeof node.value === 'string') return `"${node.value.replaceAll('"', '""')}"`;
      // The lexer reads plain decimals only, so never print 1e-7.
      if (typeof node.value === 'number' && /e/i.test(String(node.value))) {
        return node.value.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 100 });
      }
      return String(node.value);
    case 'array': return `{${node.items.map(printNode).join(', ')}}`;
    case 'attribute': return [node.root, ...node.path].join('.');
    case 'internal': return `user.getInternalProperty("${node.property}")`;
    case 'not': return `!${printNode(node.operand)}`;
    case 'negate': return `-${printNode(node.operand)}`;
    case 'add': case 'subtract': case 'and': case 'or':
      return `(${printNode(node.left)} ${binarySymbols[node.kind]} ${printNode(node.right)})`;
    case 'compare': return `(${printNode(node.left)} ${node.op} ${printNode(node.right)})`;
    case 'conditional': return `(${printNode(node.test)} ? ${printNode(node.then)} : ${printNode(node.otherwise)})`;
    case 'elvis': return `(${printNode(node.value)} ?: ${printNode(node.fallback)})`;
    case 'call': return `${node.name}(${node.args.map(printNode).join(', ')})`;
  }
}
