/**
 * What SAML and WS-Federation assertions say about the user: the NameID from the app's template
 * (`${user.userName}`), and the attribute statements (expressions, templates or static text, or
 * the user's groups through a filter), computed with Okta's expression language.
 */
import { randomBytes } from 'node:crypto';
import { filterGroups, type ExpressionContext } from '../protocols/expressions/index.ts';
import type { SamlAttribute } from '../protocols/saml/response.ts';
import { evaluateAttributeValue, parseAttributeValue, parseValueTemplate, renderTemplate, type ResolvedAttributeStatement } from '../domain/saml-app.ts';

const transientFormat = 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient';

/** Okta's `user.userName` in SAML templates is the app username: the assignment's, else the login. */
function withUserName(context: ExpressionContext): ExpressionContext {
  const userName = context.appuser?.userName ?? context.user.login;
  return { ...context, user: { userName, ...context.user } };
}

function asStrings(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap(asStrings);
  return [String(value)];
}

/** Why an assertion cannot be made for this user (a template or expression that yields nothing usable). */
export class ClaimError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClaimError';
  }
}

/** The NameID value: a fresh random one for the transient format, else the template's value. */
export function federationNameId(template: string, format: string, context: ExpressionContext): string {
  if (format === transientFormat) return `_${randomBytes(16).toString('hex')}`;
  let value: string;
  try {
    value = renderTemplate(parseValueTemplate(template), withUserName(context));
  } catch (error) {
    throw new ClaimError(`The app's Name ID could not be computed: ${(error as Error).message}`);
  }
  if (!value) throw new ClaimError('The app\'s Name ID is empty for this user.');
  return value;
}

/** The attributes of the statements that have a value for this user (a statement with none is left out). */
export function federationAttributes(statements: readonly ResolvedAttributeStatement[], context: ExpressionContext): SamlAttribute[] {
  const scoped = withUserName(context);
  const out: SamlAttribute[] = [];
  for (const statement of statements) {
    let values: string[];
    try {
      values = statement.type === 'GROUP'
        ? filterGroups(scoped.groups, statement.filterType, statement.filterValue)
        : statement.values.flatMap((v) => asStrings(evaluateAttributeValue(parseAttributeValue(v), scoped)));
    } catch (error) {
      throw new ClaimError(`The attribute ${statement.name} could not be computed: ${(error as Error).message}`);
    }
    if (values.length > 0) out.push({ name: statement.name, nameFormat: statement.namespace, values });
  }
  return out;
}
