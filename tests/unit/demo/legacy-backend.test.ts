import { type LegacyBackend, startLegacyBackend } from '../../../demo/legacy-backend.ts';

/** The sample back end behind `ANY /v1/legacy/{proxy+}` on its own: JSON answers, clear 4xx for bad input. */
let backend: LegacyBackend;

beforeAll(async () => {
  backend = await startLegacyBackend(0);
});

afterAll(async () => {
  await backend.close();
});

const call = async (path: string, init: RequestInit = {}) => {
  const response = await fetch(`${backend.url}${path}`, init);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

it('lists customers and reads one', async () => {
  const list = await call('/customers?limit=2');
  expect(list.status).toBe(200);
  expect(list.body.customers).toHaveLength(3);
  expect(list.body.seen).toEqual({
    method: 'GET',
    path: '/customers',
    query: { limit: '2' },
    authorizationPassedThrough: false,
  });
  const one = await call('/customers/c-1002', { headers: { Authorization: 'Bearer x' } });
  expect(one).toMatchObject({
    status: 200,
    body: { customer: { id: 'c-1002' }, seen: { authorizationPassedThrough: true } },
  });
});

it('creates a customer and then finds it', async () => {
  const created = await call('/customers', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: ' Erin ', email: 'erin@example.com' }),
  });
  expect(created).toMatchObject({ status: 201, body: { customer: { name: 'Erin', tier: 'basic' } } });
  const id = (created.body.customer as { id: string }).id;
  expect((await call(`/customers/${id}`)).status).toBe(200);
});

it('answers bad input and unknown paths with a 4xx and a message', async () => {
  expect(await call('/customers', { method: 'POST', body: 'not json' })).toMatchObject({
    status: 400,
    body: { error: 'BadRequest' },
  });
  expect(await call('/customers', { method: 'POST', body: '{"name":""}' })).toMatchObject({ status: 400 });
  expect(await call('/customers', { method: 'POST', body: 'x'.repeat(70_000) })).toMatchObject({ status: 400 });
  expect(await call('/customers/c-0')).toMatchObject({ status: 404, body: { message: 'No customer c-0' } });
  expect(await call('/orders')).toMatchObject({ status: 404, body: { try: '/customers' } });
  expect(await call('/customers/c-1001', { method: 'DELETE' })).toMatchObject({ status: 405 });
});
