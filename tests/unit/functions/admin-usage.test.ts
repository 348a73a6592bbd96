import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { handler } from '../../../src/functions/admin-usage/handler.ts';

const sample = JSON.parse(readFileSync('events/admin-usage.json', 'utf8')) as APIGatewayProxyEvent;
const plans = [
  { name: 'basic', rateLimit: 5, burstLimit: 10, quota: { limit: 1000, period: 'DAY' } },
  { name: 'premium', rateLimit: 25, burstLimit: 50, quota: { limit: 50000, period: 'DAY' } },
];

beforeEach(() => {
  process.env.STAGE = 'test';
  process.env.USAGE_PLANS = JSON.stringify(plans);
});

describe('GET /v1/admin/usage', () => {
  it('lists the stage’s usage plans and names the IAM caller', async () => {
    const result = await handler(sample);
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({
      stage: 'test',
      caller: {
        userArn: 'arn:aws:sts::123456789012:assumed-role/OrdersOperator/ops-session',
        accountId: '123456789012',
        user: 'AROAEXAMPLEID:ops-session',
      },
      plans,
    });
  });

  it.each([
    ['missing', undefined],
    ['not JSON', '{plans'],
    ['not a list of plans', JSON.stringify([{ name: 'basic', rateLimit: 'fast' }])],
  ])('answers 500 (and logs why) when USAGE_PLANS is %s', async (_name, value) => {
    if (value === undefined) delete process.env.USAGE_PLANS;
    else process.env.USAGE_PLANS = value;
    const result = await handler(sample);
    expect(result.statusCode).toBe(500);
    expect(JSON.parse(result.body)).toEqual({ message: 'Internal server error' });
  });
});
