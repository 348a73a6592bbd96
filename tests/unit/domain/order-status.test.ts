import { failureReasonOf, orderStatusOf } from '#domain/order-status';

describe('order status', () => {
  it.each([
    ['RUNNING', 'PROCESSING'],
    ['PENDING_REDRIVE', 'PROCESSING'],
    [undefined, 'PROCESSING'],
    ['SUCCEEDED', 'CONFIRMED'],
    ['FAILED', 'FAILED'],
    ['TIMED_OUT', 'CANCELLED'],
    ['ABORTED', 'CANCELLED'],
  ])('%s → %s', (execution, status) => {
    expect(orderStatusOf(execution)).toBe(status);
  });
});

describe('failure reason', () => {
  it('takes errorMessage out of a Lambda error cause', () => {
    const cause = JSON.stringify({
      errorType: 'PaymentDeclinedError',
      errorMessage: 'Payment was declined',
      trace: [],
    });
    expect(failureReasonOf(cause)).toBe('Payment was declined');
  });

  it('never gives out the stack trace of a Lambda error without a message: its type, or nothing', () => {
    const trace = ['Error', '    at charge (file:///var/task/handler.mjs:1:2)'];
    expect(failureReasonOf(JSON.stringify({ errorType: 'TypeError', errorMessage: '', trace }))).toBe('TypeError');
    expect(failureReasonOf(JSON.stringify({ errorMessage: '', trace }))).toBeUndefined();
  });

  it('keeps any other cause as it is', () => {
    expect(failureReasonOf('States.Timeout')).toBe('States.Timeout');
    expect(failureReasonOf('{"other":1}')).toBe('{"other":1}');
    expect(failureReasonOf('{"errorMessage":""}')).toBe('{"errorMessage":""}');
    expect(failureReasonOf('null')).toBe('null');
  });

  it('has none without a cause', () => {
    expect(failureReasonOf(undefined)).toBeUndefined();
    expect(failureReasonOf('')).toBeUndefined();
  });
});
