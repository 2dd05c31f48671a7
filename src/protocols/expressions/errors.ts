/** The two ways an expression fails: when it is saved (syntax) and when it runs (evaluation). */

/**
 * An expression the grammar rejects, or one that names an unknown attribute root, function or
 * argument count. Raised when an admin saves a claim, so typos surface before anyone signs in.
 * `position` is the 0-based offset in the expression text.
 */
export class ExpressionSyntaxError extends Error {
  readonly position: number;
  constructor(message: string, position: number) {
    super(`${message} at position ${position}`);
    this.name = 'ExpressionSyntaxError';
    this.position = position;
  }
}

/**
 * An expression that parsed but could not produce a value for this user: a type mismatch
 * (`"a" < 1`), a non-boolean condition, a computed regular expression that is invalid, or a
 * result over the size limits. `position` is the offset of the operator or call that failed.
 */
export class ExpressionEvaluationError extends Error {
  readonly position: number;
  constructor(message: string, position: number) {
    super(`${message} at position ${position}`);
    this.name = 'ExpressionEvaluationError';
    this.position = position;
  }
}
