/**
 * The one expression language Lanyard computes token claims, SAML attributes and provisioning
 * attributes with: a safe subset of Okta Expression Language (itself a subset of SpEL), parsed
 * into a tree and evaluated by a tree walker — never `eval`, `Function` or dynamic property
 * access.
 *
 * ```ts
 * const expression = parseExpression('String.toLowerCase(user.firstName) + "." + user.lastName'); // on save
 * const value = evaluate(expression, { user, groups, now: clock.now() });                       // at sign-in
 * ```
 * Save time raises {@link ExpressionSyntaxError} (with a position) for anything that is wrong
 * whatever the user; sign-in time raises {@link ExpressionEvaluationError} only for data that
 * does not fit (a type mismatch, a null condition, a limit).
 */
export { printNode, type ComparisonOperator, type Node, type RootName } from './ast.ts';
export { defaultLimits, type ExpressionContext, type ExpressionGroup, type ExpressionLimits } from './context.ts';
export { ExpressionEvaluationError, ExpressionSyntaxError } from './errors.ts';
export { evaluate } from './evaluate.ts';
export { functions } from './functions.ts';
export { compileGroupPattern, filterGroups, groupFilterTypes, type GroupFilterType } from './group-filter.ts';
export { parseExpression, type Expression } from './parser.ts';
export { regexLimits } from './regex.ts';
export type { ExpressionScalar, ExpressionValue } from './values.ts';
