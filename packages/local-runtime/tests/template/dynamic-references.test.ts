import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { SecretStore } from '../../src/services/secretsmanager/store.ts';
import { resolveSecretReference } from '../../src/services/secretsmanager/template-secrets.ts';
import { dynamicReferencesIn, replaceDynamicReferences } from '../../src/template/dynamic-references.ts';
import type { TemplateObject } from '../../src/template/load.ts';
import { LocalStack } from '../../src/template/stack.ts';

describe('replaceDynamicReferences', () => {
  const resolvers = new Map([['secretsmanager', (reference: string) => (reference === 'known' ? 'VALUE' : undefined)]]);

  it('replaces each reference a service answers, anywhere in the value, and leaves the others as written', () => {
    expect(
      replaceDynamicReferences(
        {
          A: 'x={{resolve:secretsmanager:known}};y={{resolve:secretsmanager:known}}',
          B: ['{{resolve:secretsmanager:unknown}}', '{{resolve:ssm:/p}}'],
          C: 3,
        },
        resolvers,
      ),
    ).toEqual({
      A: 'x=VALUE;y=VALUE',
      B: ['{{resolve:secretsmanager:unknown}}', '{{resolve:ssm:/p}}'],
      C: 3,
    });
  });

  it('finds the references of one service', () => {
    expect(
      dynamicReferencesIn(
        { A: ['{{resolve:secretsmanager:a:SecretString:k}}', '{{resolve:ssm:/p}}'] },
        'secretsmanager',
      ),
    ).toEqual(['a:SecretString:k']);
  });
});

describe('resolveSecretReference', () => {
  const store = new SecretStore('us-east-1', '123456789012');
  const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf';
  store.seed({ name: 'db', arn, value: '{"user":"app","password":"p1","port":5432}', versionId: 'v1' });
  store.putValue(store.live('db'), { string: '{"user":"app","password":"p2"}' }, 'v2');

  it.each([
    ['db', '{"user":"app","password":"p2"}'],
    ['db:SecretString:password', 'p2'],
    ['db::password', 'p2'],
    [`${arn}:SecretString:password`, 'p2'],
    [arn, '{"user":"app","password":"p2"}'],
    ['db:SecretString:password:AWSPREVIOUS', 'p1'],
    ['db:SecretString:password::v1', 'p1'],
    ['db:SecretString:port:AWSPREVIOUS', '5432'],
  ])('%s → %s', (reference, value) => {
    expect(resolveSecretReference(store, reference)).toBe(value);
  });

  it.each(['other', 'db:SecretString:missing', 'db:SecretBinary', 'db:SecretString:password:NOSTAGE'])(
    '%s stays unresolved',
    (reference) => {
      expect(resolveSecretReference(store, reference)).toBeUndefined();
    },
  );
});

describe('LocalStack.addDynamicReferences', () => {
  it("resolves references after the intrinsics (a Sub of the secret's Ref), in values read before too", () => {
    const stack = new LocalStack({
      templatePath: fileURLToPath(new URL('../fixtures/secrets/template.yaml', import.meta.url)),
    });
    const variables = () =>
      ((stack.properties('SecretReaderFunction').Environment as TemplateObject).Variables as TemplateObject) ?? {};
    const arn = stack.ref('ReportingDbCredentials');
    expect(arn).toMatch(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:ReportingDbCredentials-\w{12}-\w{6}$/);
    expect(variables().DB_PASSWORD).toBe(`{{resolve:secretsmanager:${arn}:SecretString:password}}`);

    const asked: string[] = [];
    stack.addDynamicReferences('secretsmanager', (reference) => {
      asked.push(reference);
      return reference.startsWith(arn) ? `value of ${reference.slice(arn.length)}` : undefined;
    });
    expect(variables().DB_PASSWORD).toBe('value of :SecretString:password');
    expect(variables().UNDEFINED_SECRET).toBe('{{resolve:secretsmanager:not-in-this-template:SecretString:token}}');
    expect(stack.resolve({ 'Fn::Sub': '{{resolve:secretsmanager:${ReportingDbCredentials}}}' })).toBe('value of ');
    expect(asked).toContain('not-in-this-template:SecretString:token');
  });
});
