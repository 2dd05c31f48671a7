/** What an expression can see when it runs, and the bounds it runs within. */

/**
 * A group the user belongs to. `type` is Okta's (`OKTA_GROUP`, `APP_GROUP`, `BUILT_IN`);
 * `source` names the app an `APP_GROUP` is imported from, by app instance id and by app name
 * (`active_directory`), which is what `Groups.startsWith("active_directory", …)` selects on.
 */
export interface ExpressionGroup {
  readonly id: string;
  readonly name: string;
  readonly type?: string;
  readonly source?: { readonly id: string; readonly name: string };
}

/**
 * The data behind the roots an expression may name. Profiles are read as JSON: own data
 * properties of plain objects only. A root that is absent reads as `null`, as does any attribute
 * it lacks.
 */
export interface ExpressionContext {
  /** `user.<attr>`: the user's Okta profile. */
  readonly user: Readonly<Record<string, unknown>>;
  /** `user.getInternalProperty("id" | "status")`. */
  readonly userInternal?: { readonly id: string; readonly status: string };
  /** `appuser.<attr>`: the in-context app's user profile. */
  readonly appuser?: Readonly<Record<string, unknown>>;
  /** `app.<attr>`: the in-context app (`app.id`, `app.clientId`, `app.label`, `app.profile.x`). */
  readonly app?: Readonly<Record<string, unknown>>;
  /** `org.<attr>`: `org.name`, `org.subdomain`. */
  readonly org?: Readonly<Record<string, unknown>>;
  /** `session.<attr>`: `session.amr` for SAML attributes. */
  readonly session?: Readonly<Record<string, unknown>>;
  /** The user's groups, for the group functions; order is kept in results. */
  readonly groups: readonly ExpressionGroup[];
  /** The instant `Time.now()` returns, so callers (and tests) fix the clock. */
  readonly now: Date;
}

/** Bounds on an expression, checked when it is parsed and while it runs. */
export interface ExpressionLimits {
  /** Longest expression text, in UTF-16 code units. */
  readonly maxLength: number;
  /** Deepest nesting of parentheses, calls, arrays, conditionals and prefix operators. */
  readonly maxDepth: number;
  /** Longest string any step may produce. */
  readonly maxStringLength: number;
  /** Most elements any array step may produce. */
  readonly maxArrayLength: number;
}

/** 4 KiB of text, 32 levels, 64 Ki-character strings, 1,000-element arrays. */
export const defaultLimits: ExpressionLimits = Object.freeze({
  maxLength: 4096,
  maxDepth: 32,
  maxStringLength: 65_536,
  maxArrayLength: 1000,
});
