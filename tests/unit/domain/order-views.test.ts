import { type ExecutionRecord, isOwnedBy, legacyV1View, orderFromExecution, v2View } from '#domain/order-views';

const orderId = 'ord_01jdq8x4m7r2k9v5w3t6y8z0ab';
const input = JSON.stringify({
  orderId,
  customerId: 'alice',
  items: [{ sku: 'SKU-BOOK-001', quantity: 2 }],
  currency: 'EUR',
  payment: { token: 'tok_visa' },
  channel: 'v1',
});
const startDate = new Date('2026-11-24T19:00:00.000Z');
const record = (overrides: Partial<ExecutionRecord>): ExecutionRecord => ({
  status: 'RUNNING',
  input,
  startDate,
  ...overrides,
});

describe('orderFromExecution', () => {
  it('shows a running order as PROCESSING with the total priced from the catalogue', () => {
    expect(orderFromExecution(orderId, record({}))).toEqual({
      orderId,
      customerId: 'alice',
      status: 'PROCESSING',
      items: [{ sku: 'SKU-BOOK-001', quantity: 2 }],
      total: { amount: 8598, currency: 'EUR' },
      createdAt: '2026-11-24T19:00:00.000Z',
    });
  });

  it('takes the total from the output of a succeeded execution', () => {
    const output = JSON.stringify({ total: { amount: 1, currency: 'EUR' } });
    const order = orderFromExecution(orderId, record({ status: 'SUCCEEDED', output }));
    expect(order.status).toBe('CONFIRMED');
    expect(order.total).toEqual({ amount: 1, currency: 'EUR' });
    expect(order.failureReason).toBeUndefined();
  });

  it('gives a failed order its failure reason', () => {
    const cause = JSON.stringify({ errorType: 'OutOfStockError', errorMessage: 'Item SKU-SOLDOUT is out of stock' });
    const order = orderFromExecution(orderId, record({ status: 'FAILED', cause }));
    expect(order.status).toBe('FAILED');
    expect(order.failureReason).toBe('Item SKU-SOLDOUT is out of stock');
  });

  it('a failed order without a cause has no failure reason', () => {
    expect(orderFromExecution(orderId, record({ status: 'FAILED' }))).not.toHaveProperty('failureReason');
  });

  it('survives unreadable input and output', () => {
    const order = orderFromExecution(
      orderId,
      record({ input: 'not json', output: '[1]', startDate: undefined, status: 'ABORTED' }),
    );
    expect(order).toEqual({
      orderId,
      customerId: undefined,
      status: 'CANCELLED',
      items: [],
      createdAt: '1970-01-01T00:00:00.000Z',
    });
    expect(orderFromExecution(orderId, record({ input: undefined })).items).toEqual([]);
  });

  it('drops malformed items and unknown skus get no total', () => {
    const odd = JSON.stringify({ customerId: 'alice', items: [{ sku: 'SKU-NOPE', quantity: 1 }, { sku: 1 }, null] });
    const order = orderFromExecution(orderId, record({ input: odd }));
    expect(order.items).toEqual([{ sku: 'SKU-NOPE', quantity: 1 }]);
    expect(order).not.toHaveProperty('total');
  });
});

describe('views', () => {
  const order = orderFromExecution(orderId, record({}));

  it('ownership is by customer id', () => {
    expect(isOwnedBy(order, 'alice')).toBe(true);
    expect(isOwnedBy(order, 'bob')).toBe(false);
  });

  it('v2 hides the owner', () => {
    const view = v2View(order);
    expect(view).not.toHaveProperty('customerId');
    expect(view.orderId).toBe(orderId);
    expect(view.total).toEqual({ amount: 8598, currency: 'EUR' });
  });

  it('legacy v1 is id/state/lines/created', () => {
    expect(legacyV1View(order)).toEqual({
      id: orderId,
      state: 'PROCESSING',
      lines: [{ sku: 'SKU-BOOK-001', qty: 2 }],
      created: '2026-11-24T19:00:00.000Z',
    });
  });
});
