import { randomInt } from 'node:crypto';
import { invalidParameter } from './errors.ts';

/**
 * What GetRandomPassword and a template secret's GenerateSecretString take (Secrets Manager API reference,
 * "GetRandomPassword"; CloudFormation template reference, "AWS::SecretsManager::Secret GenerateSecretString").
 */
export interface PasswordRules {
  PasswordLength?: number;
  ExcludeCharacters?: string;
  ExcludeLowercase?: boolean;
  ExcludeUppercase?: boolean;
  ExcludeNumbers?: boolean;
  ExcludePunctuation?: boolean;
  IncludeSpace?: boolean;
  RequireEachIncludedType?: boolean;
}

// The punctuation GetRandomPassword draws from: "! \" # $ % & ' ( ) * + , - . / : ; < = > ? @ [ \ ] ^ _ ` { | } ~".
export const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
export const LOWERCASE = 'abcdefghijklmnopqrstuvwxyz';
export const UPPERCASE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
export const NUMBERS = '0123456789';

const DEFAULT_LENGTH = 32;
const MAX_LENGTH = 4096;

const pick = (from: string): string => from[randomInt(from.length)] ?? '';

/** Reads the rules from a request or a template (which may give booleans and numbers as strings). */
export const passwordRulesOf = (input: Record<string, unknown>): PasswordRules => {
  const flag = (key: string): boolean | undefined =>
    input[key] === undefined ? undefined : input[key] === true || input[key] === 'true';
  const rules: PasswordRules = {};
  if (input.PasswordLength !== undefined) rules.PasswordLength = Number(input.PasswordLength);
  if (input.ExcludeCharacters !== undefined) rules.ExcludeCharacters = String(input.ExcludeCharacters);
  for (const key of [
    'ExcludeLowercase',
    'ExcludeUppercase',
    'ExcludeNumbers',
    'ExcludePunctuation',
    'IncludeSpace',
    'RequireEachIncludedType',
  ] as const) {
    const value = flag(key);
    if (value !== undefined) rules[key] = value;
  }
  return rules;
};

/**
 * A random password as Secrets Manager makes one: 32 characters by default, from lowercase, uppercase, digits and
 * punctuation (and space only when asked), less the excluded characters; with RequireEachIncludedType (the default)
 * at least one character of each included type (space is not a required type: the API reference names "one upper
 * and lowercase letter, one number, and one punctuation").
 */
export const randomPassword = (rules: PasswordRules = {}): string => {
  const length = rules.PasswordLength ?? DEFAULT_LENGTH;
  if (!Number.isInteger(length) || length < 1 || length > MAX_LENGTH) {
    throw invalidParameter(`PasswordLength must be an integer from 1 to ${MAX_LENGTH}.`);
  }
  const excluded = new Set(rules.ExcludeCharacters ?? '');
  const keep = (characters: string) => [...characters].filter((character) => !excluded.has(character)).join('');
  const types = [
    rules.ExcludeLowercase ? '' : keep(LOWERCASE),
    rules.ExcludeUppercase ? '' : keep(UPPERCASE),
    rules.ExcludeNumbers ? '' : keep(NUMBERS),
    rules.ExcludePunctuation ? '' : keep(PUNCTUATION),
  ].filter((characters) => characters !== '');
  const pool = types.join('') + (rules.IncludeSpace ? keep(' ') : '');
  if (pool === '') throw invalidParameter('The password has no characters left to use after the exclusions.');
  const required = rules.RequireEachIncludedType === false ? [] : types.map(pick);
  if (required.length > length) {
    throw invalidParameter(
      `PasswordLength ${length} is too short to include each of the ${required.length} included character types.`,
    );
  }
  const characters = [...required];
  while (characters.length < length) characters.push(pick(pool));
  // The required characters would otherwise always lead.
  for (let i = characters.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [characters[i], characters[j]] = [characters[j] ?? '', characters[i] ?? ''];
  }
  return characters.join('');
};
