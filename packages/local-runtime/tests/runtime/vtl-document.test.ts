import { call } from '../../src/testing/index.ts';
import { fixtureRuntime } from '../fixture-runtime.ts';

/** A request template that edits the body it got from `$input.path('$')` sends the edited body on, black-box. */
const runtime = fixtureRuntime('vtl-document');

it("sends the body as the template changed it: #set on $input.path('$') shows in $input.json('$')", async () => {
  const answer = await call(`${runtime.info.restUrl}/v1/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: 'o1', items: [{ sku: 'a' }, { sku: 'b' }] }),
  });
  expect({ status: answer.status, body: answer.json() }).toEqual({
    status: 200,
    body: { id: 'o1', items: [{ sku: 'a' }, { sku: 'b' }], status: 'received', lines: 2 },
  });
});
