import { newConnectionId } from '../../src/websocket/connections.ts';

it('draws connection ids from the URL-safe alphabet, shaped as API Gateway shapes them', () => {
  const ids = Array.from({ length: 2000 }, newConnectionId);
  for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{15}=$/);
  expect(new Set(ids).size).toBe(ids.length);
});
