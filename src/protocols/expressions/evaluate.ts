/**
 * Runs a parsed expression against one user's data. Nothing here executes code from the
 * expression: attribute paths are read as own data properties, functions come from a fixed
 * `Map`, and every string and array a step builds is checked against the limits first.
 *
 * Semantics follow SpEL where Okta does not say otherwise:
 * - a missing root or attribute is `null`;
 * - `&&`, `||`, `!` and `? :` need booleans (a `null` condition is an error, as in SpEL) and
 *   short-circuit;
 * - `+` adds two numbers, and concatenates when either side is a string, reading `null` as ""
 *   (Okta does not document this; SpEL would write "null"); `null + null` is `null`;
 * - `-` subtracts numbers; `==`/`!=` never convert between types; `<` `<=` `>` `>=` order
 *   numbers, strings and booleans among themselves, with `null` before everything;
 * - `a ?: b` is `b` when `a` is `null` or "" (SpEL's Elvis);
 * - `s matches "re"` is a whole-string match on the linear-time matcher; a `null` subject is false.
 */
import type { Node, RootName } from './ast.ts';
import type { CallEnv } from './call-kit.ts';
import type { ExpressionContext, ExpressionGroup, ExpressionLimits } from './context.ts';
import { ExpressionEvaluationError } from './errors.ts';
import { functions } from './functions.ts';
import type { Expression } from './parser.ts';
import { compileRegex, RegexSyntaxError, type SafeRegex } from './regex.ts';
import {
  compareValues, fromData, holdsStruct, readField, scalarText, Struct, typeName, valuesEqual,
  type ExpressionValue, type Value,
} from './values.ts';

class Evaluator {
  readonly #context: ExpressionContext;
  readonly #limits: ExpressionLimits;
  readonly #group: Struct | null;

  constructor(context: ExpressionContext, limits: ExpressionLimits, group: Struct | null) {
    this.#context = context;
    this.#limits = limits;
    this.#group = group;
  }

  value(node: Node): Value {
    switch (node.kind) {
      case 'literal': return node.value;
      case 'array': {
        if (node.items.length > this.#limits.maxArrayLength) this.#fail(`array of more than ${this.#limits.maxArrayLength} elements`, node.pos);
        return node.items.map((item) => this.value(item));
      }
      case 'attribute': {
        let current = this.#root(node.root);
        for (const name of node.path) current = current instanceof Struct ? readField(current, name) : null;
        return current;
      }
      case 'internal': return this.#context.userInternal?.[node.property] ?? null;
      case 'not': return !this.#boolean(node.operand);
      case 'negate': {
        const operand = this.value(node.operand);
        if (typeof operand !== 'number') this.#fail(`"-" needs a number, not ${typeName(operand)}`, node.pos);
        return -operand;
      }
      case 'and': return this.#boolean(node.left) && this.#boolean(node.right);
      case 'or': return this.#boolean(node.left) || this.#boolean(node.right);
      case 'add': return this.#add(this.value(node.left), this.value(node.right), node.pos);
      case 'subtract': {
        const left = this.value(node.left);
        const right = this.value(node.right);
        if (typeof left !== 'number' || typeof right !== 'number') {
          this.#fail(`"-" subtracts numbers, not ${typeName(left)} and ${typeName(right)}`, node.pos);
        }
        return this.#finite(left - right, node.pos);
      }
      case 'compare': return this.#compare(node);
      case 'conditional': return this.#boolean(node.test) ? this.value(node.then) : this.value(node.otherwise);
      case 'elvis': {
        const value = this.value(node.value);
        return value === null || value === '' ? this.value(node.fallback) : value;
      }
      case 'call': return this.#call(node);
    }
  }

  #fail(message: string, pos: number): never {
    throw new ExpressionEvaluationError(message, pos);
  }

  #root(root: RootName): Value {
    if (root === 'group') return this.#group;
    const data = this.#context[root];
    return data === undefined ? null : fromData(data);
  }

  #finite(result: number, pos: number): number {
    if (!Number.isFinite(result)) this.#fail('the result is out of the number range', pos);
    return result;
  }

  #boolean(node: Node): boolean {
    const value = this.value(node);
    if (typeof value !== 'boolean') this.#fail(`expected true or false but got ${typeName(value)}`, node.pos);
    return value;
  }

  #add(left: Value, right: Value, pos: number): Value {
    if (typeof left === 'number' && typeof right === 'number') return this.#finite(left + right, pos);
    if (left === null && right === null) return null;
    if (typeof left === 'string' || typeof right === 'string') {
      const head = scalarText(left);
      const tail = scalarText(right);
      if (head !== undefined && tail !== undefined) {
        if (head.length + tail.length > this.#limits.maxStringLength) {
          this.#fail(`"+" would produce a string longer than ${this.#limits.maxStringLength} characters`, pos);
        }
        return head + tail;
      }
    }
    return this.#fail(`"+" adds numbers or joins strings, not ${typeName(left)} and ${typeName(right)}`, pos);
  }

  #compare(node: Node & { kind: 'compare' }): Value {
    const left = this.value(node.left);
    const right = this.value(node.right);
    switch (node.op) {
      case '==': return valuesEqual(left, right);
      case '!=': return !valuesEqual(left, right);
      case 'matches': {
        if (typeof right !== 'string') this.#fail(`"matches" needs a pattern string, not ${typeName(right)}`, node.pos);
        if (left === null) return false;
        if (typeof left !== 'string') this.#fail(`"matches" tests a string, not ${typeName(left)}`, node.pos);
        const regex = node.pattern ?? this.#regex(right, node.pos);
        try {
          return regex.matches(left);
        } catch (error) {
          if (error instanceof RangeError) this.#fail(error.message, node.pos);
          throw error;
        }
      }
      default: {
        const order = compareValues(left, right);
        if (order === undefined) this.#fail(`cannot order ${typeName(left)} against ${typeName(right)}`, node.pos);
        return node.op === '<' ? order < 0 : node.op === '<=' ? order <= 0 : node.op === '>' ? order > 0 : order >= 0;
      }
    }
  }

  #regex(source: string, pos: number): SafeRegex {
    try {
      return compileRegex(source);
    } catch (error) {
      if (error instanceof RegexSyntaxError) this.#fail(`invalid regular expression (${error.message} at offset ${error.position} of the pattern)`, pos);
      throw error;
    }
  }

  #call(node: Node & { kind: 'call' }): Value {
    // The parser only builds calls to registered names; a hand-built tree gets the same answer.
    const spec = functions.get(node.name);
    if (!spec) return this.#fail(`unknown function ${node.name}`, node.pos);
    const args = node.args.map((arg) => this.value(arg));
    const env: CallEnv = {
      context: this.#context,
      limits: this.#limits,
      name: node.name,
      fail: (message) => this.#fail(message, node.pos),
      regex: (source) => (node.pattern?.source === source ? node.pattern : this.#regex(source, node.pos)),
      groupValue: (group) => this.#groupValue(node, group),
    };
    const result = spec.call(args, env);
    if (typeof result === 'string' && result.length > this.#limits.maxStringLength) {
      this.#fail(`${node.name} produced a string longer than ${this.#limits.maxStringLength} characters`, node.pos);
    }
    if (Array.isArray(result) && result.length > this.#limits.maxArrayLength) {
      this.#fail(`${node.name} produced an array of more than ${this.#limits.maxArrayLength} elements`, node.pos);
    }
    return result;
  }

  #groupValue(node: Node & { kind: 'call' }, group: ExpressionGroup): Value {
    if (!node.groupExpression) return this.#fail(`${node.name} has no group expression`, node.pos);
    const fields = { id: group.id, name: group.name, type: group.type ?? null };
    return new Evaluator(this.#context, this.#limits, new Struct(fields)).value(node.groupExpression);
  }
}

/**
 * Evaluates a parsed expression for one user. Returns a string, number, boolean, `null` or an
 * array of them; throws {@link ExpressionEvaluationError} when the data does not fit the
 * expression (a type mismatch, a non-boolean condition, a result over the limits, or an object
 * such as `app.profile` as the result).
 */
export function evaluate(expression: Expression, context: ExpressionContext): ExpressionValue {
  const result = new Evaluator(context, expression.limits, null).value(expression.tree);
  if (holdsStruct(result)) {
    throw new ExpressionEvaluationError('the expression produces an object; read one of its attributes instead', expression.tree.pos);
  }
  if (typeof result === 'string' && result.length > expression.limits.maxStringLength) {
    throw new ExpressionEvaluationError(`the result is longer than ${expression.limits.maxStringLength} characters`, expression.tree.pos);
  }
  return result as ExpressionValue;
}
