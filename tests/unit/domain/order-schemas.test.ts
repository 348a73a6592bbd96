import Ajv from 'ajv-draft-04';
import { loadYamlFile, type TemplateObject } from 'sam-local-runtime';
import { ValidationError } from '#domain/errors';
import { createOrderBody, parseOrThrow, workflowInput } from '#domain/order-schemas';

const valid = { items: [{ sku: 'SKU-BOOK-001', quantity: 1 }], payment: { token: 'tok_visa' } };

const issuesOf = (value: unknown): string[] => {
  try {
    parseOrThrow(createOrderBody, value, 'order');
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues.map((i) => i.path);
  }
  throw new Error('expected a ValidationError');
};

describe('createOrderBody', () => {
  it('accepts a valid body, with or without currency', () => {
    expect(parseOrThrow(createOrderBody, valid, 'order')).toEqual(valid);
    expect(parseOrThrow(createOrderBody, { ...valid, currency: 'EUR' }, 'order').currency).toBe('EUR');
  });

  it('names every bad field', () => {
    expect(issuesOf({})).toEqual(['items', 'payment']);
    expect(issuesOf({ ...valid, items: [] })).toEqual(['items']);
    expect(issuesOf({ ...valid, items: [{ sku: '', quantity: 0 }] })).toEqual(['items.0.sku', 'items.0.quantity']);
    expect(issuesOf({ ...valid, items: [{ sku: 'a', quantity: 1.5 }] })).toEqual(['items.0.quantity']);
    expect(issuesOf({ ...valid, items: [{ sku: 'a'.repeat(65), quantity: 101 }] })).toEqual([
      'items.0.sku',
      'items.0.quantity',
    ]);
    expect(issuesOf({ ...valid, items: Array.from({ length: 51 }, () => valid.items[0]) })).toEqual(['items']);
    expect(issuesOf({ ...valid, currency: 'USD' })).toEqual(['currency']);
    expect(issuesOf({ ...valid, payment: { token: '' } })).toEqual(['payment.token']);
    expect(issuesOf(null)).toEqual(['(root)']);
  });

  it('says what is wrong with each field, in words (zod/mini has no messages of its own)', () => {
    try {
      parseOrThrow(createOrderBody, { ...valid, items: [{ sku: 'a', quantity: 101 }], extra: 1 }, 'order');
      throw new Error('expected a ValidationError');
    } catch (error) {
      expect((error as ValidationError).issues).toEqual([
        { path: 'items.0.quantity', message: 'Too big: expected number to be <=100' },
        { path: '(root)', message: 'Unrecognized key: "extra"' },
      ]);
    }
  });

  it('puts the fields in the message', () => {
    expect(() => parseOrThrow(createOrderBody, { ...valid, currency: 'USD' }, 'order')).toThrow(
      /^Invalid order: currency: /,
    );
  });
});

describe('createOrderBody and the CreateOrder model of api/openapi.yaml', () => {
  // API Gateway validates POST /v1/orders with the model, `sam local` and unit tests only with zod: both must
  // take and refuse the same bodies, or a body would pass one door and not the other.
  const doc = loadYamlFile('api/openapi.yaml') as TemplateObject;
  const model = ((doc.components as TemplateObject).schemas as TemplateObject).CreateOrder as TemplateObject;
  const modelAccepts = new Ajv.default({ allErrors: true, strict: false }).compile(model);
  const zodAccepts = (body: unknown) => createOrderBody.safeParse(body).success;
  const item = valid.items[0];

  it.each<[string, unknown, boolean]>([
    ['the minimal body', valid, true],
    ['currency EUR', { ...valid, currency: 'EUR' }, true],
    [
      '50 items of quantity 100',
      { ...valid, items: Array.from({ length: 50 }, () => ({ ...item, quantity: 100 })) },
      true,
    ],
    [
      'a 64-char sku and a 128-char token',
      { items: [{ sku: 's'.repeat(64), quantity: 1 }], payment: { token: 't'.repeat(128) } },
      true,
    ],
    ['no items', { payment: valid.payment }, false],
    ['an empty items list', { ...valid, items: [] }, false],
    ['51 items', { ...valid, items: Array.from({ length: 51 }, () => item) }, false],
    ['quantity 0', { ...valid, items: [{ ...item, quantity: 0 }] }, false],
    ['quantity 101', { ...valid, items: [{ ...item, quantity: 101 }] }, false],
    ['a fractional quantity', { ...valid, items: [{ ...item, quantity: 1.5 }] }, false],
    ['a quantity as a string', { ...valid, items: [{ ...item, quantity: '1' }] }, false],
    ['an empty sku', { ...valid, items: [{ ...item, sku: '' }] }, false],
    ['a 65-char sku', { ...valid, items: [{ ...item, sku: 's'.repeat(65) }] }, false],
    ['an unknown item field', { ...valid, items: [{ ...item, note: 'x' }] }, false],
    ['currency USD', { ...valid, currency: 'USD' }, false],
    ['no payment', { items: valid.items }, false],
    ['an empty token', { ...valid, payment: { token: '' } }, false],
    ['a 129-char token', { ...valid, payment: { token: 't'.repeat(129) } }, false],
    ['an unknown payment field', { ...valid, payment: { token: 't', cvc: '123' } }, false],
    ['an unknown top-level field', { ...valid, customerId: 'someone-else' }, false],
    ['an array', [valid], false],
    ['null', null, false],
  ])('%s: both say %p', (_case, body, expected) => {
    expect(modelAccepts(body)).toBe(expected);
    expect(zodAccepts(body)).toBe(expected);
  });
});

describe('workflowInput', () => {
  it('keeps fields it does not know (tasks pass them on)', () => {
    const input = {
      orderId: 'ord_0123456789abcdef0123456789abcdef',
      customerId: 'alice',
      items: valid.items,
      currency: 'EUR',
      payment: valid.payment,
      channel: 'v2',
      extra: 1,
    };
    expect(parseOrThrow(workflowInput, input, 'workflow input')).toEqual(input);
  });
});
