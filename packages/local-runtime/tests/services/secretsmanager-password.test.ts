import { describe, expect, it } from '@jest/globals';
import { SecretsManagerError } from '../../src/services/secretsmanager/errors.ts';
import {
  LOWERCASE,
  NUMBERS,
  PUNCTUATION,
  passwordRulesOf,
  randomPassword,
  UPPERCASE,
} from '../../src/services/secretsmanager/password.ts';

/** The rules of GetRandomPassword and GenerateSecretString (one generator serves both). */
const has = (password: string, characters: string) => [...password].some((character) => characters.includes(character));
const only = (password: string, characters: string) =>
  [...password].every((character) => characters.includes(character));
// Randomness: each rule is checked over many passwords, so a rule kept by chance alone would show.
const many = (rules: Parameters<typeof randomPassword>[0], count = 200) =>
  Array.from({ length: count }, () => randomPassword(rules));

describe('randomPassword', () => {
  it('is 32 characters of the four types by default, each type at least once', () => {
    for (const password of many({})) {
      expect(password).toHaveLength(32);
      expect(only(password, LOWERCASE + UPPERCASE + NUMBERS + PUNCTUATION)).toBe(true);
      for (const type of [LOWERCASE, UPPERCASE, NUMBERS, PUNCTUATION]) expect(has(password, type)).toBe(true);
    }
  });

  it('takes PasswordLength', () => {
    expect(randomPassword({ PasswordLength: 4 })).toHaveLength(4);
    expect(randomPassword({ PasswordLength: 4096 })).toHaveLength(4096);
  });

  it('leaves out each excluded type', () => {
    for (const password of many({ ExcludeLowercase: true, ExcludePunctuation: true })) {
      expect(only(password, UPPERCASE + NUMBERS)).toBe(true);
    }
    for (const password of many({ ExcludeUppercase: true, ExcludeNumbers: true })) {
      expect(only(password, LOWERCASE + PUNCTUATION)).toBe(true);
    }
  });

  it('leaves out ExcludeCharacters', () => {
    const excluded = '"@/\\abcXYZ019';
    for (const password of many({ ExcludeCharacters: excluded, PasswordLength: 64 })) {
      expect(has(password, excluded)).toBe(false);
    }
  });

  it('has a space only with IncludeSpace', () => {
    expect(many({ PasswordLength: 64 }).some((password) => password.includes(' '))).toBe(false);
    expect(
      many({ PasswordLength: 64, IncludeSpace: true, ExcludePunctuation: true, ExcludeNumbers: true }).some(
        (password) => password.includes(' '),
      ),
    ).toBe(true);
  });

  it('with RequireEachIncludedType false, may leave a type out', () => {
    const passwords = many({ PasswordLength: 3, RequireEachIncludedType: false }, 500);
    expect(passwords.some((password) => !has(password, PUNCTUATION) || !has(password, NUMBERS))).toBe(true);
  });

  it('with RequireEachIncludedType (the default), has each type even in the shortest password', () => {
    for (const password of many({ PasswordLength: 4 })) {
      for (const type of [LOWERCASE, UPPERCASE, NUMBERS, PUNCTUATION]) expect(has(password, type)).toBe(true);
    }
  });

  it('refuses what it cannot make with InvalidParameterException', () => {
    const refusal = (rules: Parameters<typeof randomPassword>[0]) => {
      try {
        randomPassword(rules);
      } catch (error) {
        return error instanceof SecretsManagerError ? error.type : String(error);
      }
      return 'made one';
    };
    expect(refusal({ PasswordLength: 0 })).toBe('InvalidParameterException');
    expect(refusal({ PasswordLength: 4097 })).toBe('InvalidParameterException');
    expect(refusal({ PasswordLength: 3 })).toBe('InvalidParameterException');
    expect(
      refusal({ ExcludeLowercase: true, ExcludeUppercase: true, ExcludeNumbers: true, ExcludePunctuation: true }),
    ).toBe('InvalidParameterException');
  });
});

describe('passwordRulesOf', () => {
  it('reads a template, where booleans and numbers may be strings', () => {
    expect(
      passwordRulesOf({ PasswordLength: '20', ExcludeNumbers: 'true', IncludeSpace: false, ExcludeCharacters: '/' }),
    ).toEqual({ PasswordLength: 20, ExcludeNumbers: true, IncludeSpace: false, ExcludeCharacters: '/' });
  });
});
