/**
 * The password policy check with the default org policy and the real common-password list, and
 * the argon2id hasher at its production (OWASP) cost.
 */
import { describe, expect, it } from 'vitest';
import { describePasswordProblems, passwordProblems, type PasswordContext } from '../../src/domain/password-policy.ts';
import { defaultOrgSettings, type PasswordPolicy } from '../../src/domain/org.ts';
import { createPasswordHasher, isCommonPassword } from '../../src/signin/passwords.ts';

const policy = defaultOrgSettings().passwordPolicy;
const jane: PasswordContext = { login: 'jane.doe@example.com', firstName: 'Jane', lastName: 'Doe' };
const strong = 'Quiet-Harbour-Lantern-47';

const problems = (password: string, context: PasswordContext = jane, p: PasswordPolicy = policy) =>
  passwordProblems(password, p, context, isCommonPassword);

describe('the default policy', () => {
  it('is Okta\'s default', () => {
    expect(policy).toEqual({
      minLength: 8, requireLowercase: true, requireUppercase: true, requireNumber: true, requireSymbol: false,
      excludeUsername: true, excludeAttributes: ['firstName', 'lastName'], historyCount: 4, rejectCommonPasswords: true,
    });
  });

  it('passes a strong password', () => {
    expect(problems(strong)).toEqual([]);
  });
});

describe('length', () => {
  it('needs at least minLength characters', () => {
    expect(problems('Zqxwv7k')).toEqual(['at least 8 characters']);
    expect(problems('Zqxwv7kp')).toEqual([]);
    expect(problems('Zqxwv7kpq', jane, { ...policy, minLength: 10 })).toEqual(['at least 10 characters']);
  });

  it('allows at most 256 characters', () => {
    expect(problems(`Zq7${'x'.repeat(253)}`)).toEqual([]);
    expect(problems(`Zq7${'x'.repeat(254)}`)).toEqual(['at most 256 characters']);
  });

  it('lists every broken rule, in order', () => {
    expect(problems('abc')).toEqual(['at least 8 characters', 'an uppercase letter', 'a number']);
    expect(problems('')).toEqual(['at least 8 characters', 'a lowercase letter', 'an uppercase letter', 'a number']);
  });
});

describe('character classes', () => {
  it('needs a lowercase letter', () => {
    expect(problems('ZQXWVBN7')).toEqual(['a lowercase letter']);
  });
  it('needs an uppercase letter', () => {
    expect(problems('zqxwvbn7')).toEqual(['an uppercase letter']);
  });
  it('needs a number', () => {
    expect(problems('Zqxwvbnm')).toEqual(['a number']);
  });
  it('needs a symbol only when the policy says so', () => {
    const withSymbol = { ...policy, requireSymbol: true };
    expect(problems('Zqxwvbn7')).toEqual([]);
    expect(problems('Zqxwvbn7', jane, withSymbol)).toEqual(['a symbol']);
    expect(problems('Zqxw-bn7', jane, withSymbol)).toEqual([]);
    expect(problems('Zqxw€bn7', jane, withSymbol)).toEqual([]);
  });
  it('checks nothing the policy turns off', () => {
    const lax = { ...policy, requireLowercase: false, requireUppercase: false, requireNumber: false };
    expect(problems('........', jane, lax)).toEqual([]);
  });

  it('counts non-ASCII letters as letters of their case, and not as symbols', () => {
    expect(problems('Élanvital7')).toEqual([]);
    expect(problems('ÉLANVITAL7')).toEqual(['a lowercase letter']);
    expect(problems('élanvital7')).toEqual(['an uppercase letter']);
    expect(problems('Привет1мир')).toEqual([]);
    expect(problems('Σίσυφος123')).toEqual([]);
    expect(problems('ßüöäñçøå7')).toEqual(['an uppercase letter']);
    expect(problems('Élanvital7', jane, { ...policy, requireSymbol: true })).toEqual(['a symbol']);
  });

  it('does not count caseless letters (CJK) as upper- or lowercase', () => {
    expect(problems('パスワード暗号文字列12')).toEqual(['a lowercase letter', 'an uppercase letter']);
  });
});

describe('username parts (Okta: parts split at punctuation, 4+ characters, not the top-level domain)', () => {
  const andy = { login: 'andy.smith@business.com', firstName: 'A', lastName: 'S' };

  it('rejects a password containing any whole part of the login, in any case', () => {
    expect(problems('Smith-321x', andy)).toEqual(['no parts of your username']);
    expect(problems('xxANDYxx-9', andy)).toEqual(['no parts of your username']);
    expect(problems('Business-99x', andy)).toEqual(['no parts of your username']);
    expect(problems('Andy.Smith.1', andy)).toEqual(['no parts of your username']);
  });

  it('ignores parts shorter than 4 characters and the top-level domain', () => {
    const ed = { login: 'ed.jones@business.com', firstName: 'E', lastName: 'J' };
    expect(problems('Ed123456', ed)).toEqual([]);
    expect(problems('Com-Zqxwv-9', ed)).toEqual([]);
    expect(problems('Jones-4567', ed)).toEqual(['no parts of your username']);
    expect(problems('Info-Zqxwv-9', { ...ed, login: 'ed@mail.info' })).toEqual([]);
    expect(problems('Mail-Zqxwv-9', { ...ed, login: 'ed@mail.info' })).toEqual(['no parts of your username']);
  });

  it('accepts an incomplete portion of a part', () => {
    const asmith = { login: 'asmith@business.com', firstName: 'A', lastName: 'S' };
    expect(problems('Smith321x', asmith)).toEqual([]);
    expect(problems('Asmith321', asmith)).toEqual(['no parts of your username']);
  });

  it('splits at any punctuation and keeps non-ASCII parts', () => {
    expect(problems('Zqx-Mueller-7', { login: 'hans_mueller+tag@x.org' })).toEqual(['no parts of your username']);
    expect(problems('Zqx-Hans-7', { login: 'hans_mueller+tag@x.org' })).toEqual(['no parts of your username']);
    expect(problems('Zqx-Tags-7', { login: 'hans_mueller+tag@x.org' })).toEqual([]);
    expect(problems('Zqx-JÜRGEN-7', { login: 'jürgen@x.org' })).toEqual(['no parts of your username']);
  });

  it('checks nothing when the policy allows the username', () => {
    expect(problems('Smith-321x', andy, { ...policy, excludeUsername: false })).toEqual([]);
  });
});

describe('first and last name', () => {
  // A login with no part long enough to count, so only the names are in play.
  const named = { login: 'jd@x.org', firstName: 'Jane', lastName: 'Doe' };

  it('rejects a password containing the first or last name, in any case', () => {
    expect(problems('xJANE-2024', named)).toEqual(['does not include your first name']);
    expect(problems('Doe-Zqxw-12', named)).toEqual(['does not include your last name']);
    expect(problems('JaneDoe-2024', named)).toEqual(['does not include your first name', 'does not include your last name']);
  });

  it('ignores names shorter than 3 characters and missing names', () => {
    expect(problems('Al-Zqxwv-12', { login: 'x@y.org', firstName: 'Al', lastName: 'Li' })).toEqual([]);
    expect(problems('Zqxwv-Doe-12', { login: 'x@y.org' })).toEqual([]);
  });

  it('checks only the attributes the policy lists', () => {
    expect(problems('xJANE-2024', named, { ...policy, excludeAttributes: ['lastName'] })).toEqual([]);
    expect(problems('Doe-Zqxw-12', named, { ...policy, excludeAttributes: [] })).toEqual([]);
  });
});

describe('common passwords', () => {
  it('knows the usual suspects, case-insensitively', () => {
    for (const password of ['Password1', 'Qwerty123', 'password', '123456', 'Passw0rd', 'P@ssw0rd', 'Welcome1', 'PASSWORD1', 'qWeRtY123']) {
      expect(isCommonPassword(password), password).toBe(true);
    }
    for (const password of [strong, 'Zqxwvbn7', 'Correct-Horse-Battery-9']) {
      expect(isCommonPassword(password), password).toBe(false);
    }
  });

  it('rejects a common password that otherwise meets the rules', () => {
    expect(problems('Password1', { login: 'x@y.org' })).toEqual(['not a commonly used password']);
    expect(problems('Qwerty123', { login: 'x@y.org' })).toEqual(['not a commonly used password']);
    expect(problems('Qwerty123', { login: 'x@y.org' }, { ...policy, rejectCommonPasswords: false })).toEqual([]);
  });

  it('uses the list it is given', () => {
    const seen: string[] = [];
    const isCommon = (password: string) => {
      seen.push(password);
      return password === strong;
    };
    expect(passwordProblems(strong, policy, jane, isCommon)).toEqual(['not a commonly used password']);
    expect(seen).toEqual([strong]);
  });
});

describe('describePasswordProblems', () => {
  it('writes Okta\'s sentence', () => {
    expect(describePasswordProblems(['at least 8 characters', 'a number']))
      .toBe('password: Password requirements were not met. Password requirements: at least 8 characters, a number.');
  });
});

describe('createPasswordHasher at the default OWASP cost', () => {
  const hasher = createPasswordHasher();

  it('hashes with argon2id m=19456 t=2 p=1 and verifies', async () => {
    const stored = await hasher.hash(strong);
    expect(stored.startsWith('$argon2id$v=19$m=19456,t=2,p=1$')).toBe(true);
    expect(await hasher.verify(stored, strong)).toBe(true);
    expect(await hasher.verify(stored, `${strong} `)).toBe(false);
    expect(await hasher.verify(stored, 'quiet-harbour-lantern-47')).toBe(false);
    // A fresh salt each time.
    expect(await hasher.hash(strong)).not.toBe(stored);
  });

  it('answers false, without throwing, for a malformed stored hash', async () => {
    for (const stored of ['', 'not-a-hash', '$argon2id$v=19$m=19456,t=2,p=1$', '$argon2id$v=19$m=19456,t=2,p=1$AAAA$BBBB', '$2b$10$abcdefghijklmnopqrstuv']) {
      await expect(hasher.verify(stored, strong), stored).resolves.toBe(false);
    }
  });

  it('spends a verification on nothing without failing', async () => {
    await expect(hasher.verifyNothing(strong)).resolves.toBeUndefined();
  });
});
