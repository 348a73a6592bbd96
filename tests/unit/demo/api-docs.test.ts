import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalRoute } from 'sam-local-runtime';
import { apiDocs } from '../../../demo/api-docs.ts';

/**
 * The API reference's specifications over a real socket: no `Access-Control-Allow-Origin`, so a page of another
 * origin cannot read them (they name the local stage; the docs page, of the runtime's own origin, still can).
 */
const runtime: Parameters<LocalRoute>[2] = {
  restUrl: 'http://127.0.0.1:3000',
  region: 'us-east-1',
  apis: [{ logicalId: 'OrdersApi', id: 'abc123', kind: 'REST', stage: 'dev', url: 'http://127.0.0.1:3000/dev' }],
  apiKeys: [{ logicalId: 'BasicApiKey', id: 'k1', name: 'basic', value: 'local-key-value' }],
  issuer: { issuer: 'http://127.0.0.1:3000/_local/issuer', jwksUri: 'http://127.0.0.1:3000/jwks', clientId: 'c' },
  credentials: { accessKeyId: 'AKIA', secretAccessKey: 'secret', accountId: '123456789012', userName: 'local' },
  services: [],
  wsUrl: 'http://127.0.0.1:3001',
  webSockets: [{ logicalId: 'Ws', id: 'ws1', stage: 'dev', url: 'ws://127.0.0.1:3001/dev' }],
  functionUrls: [],
  routes: [],
};

let server: Server;
let origin: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    void Promise.resolve(apiDocs(request, response, runtime)).then((handled) => {
      if (!handled) response.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

it.each(['/_local/openapi.json', '/_local/asyncapi.json'])('serves %s to no other origin', async (path) => {
  const response = await fetch(`${origin}${path}`, { headers: { Origin: 'https://evil.example' } });
  expect(response.status).toBe(200);
  expect(response.headers.get('access-control-allow-origin')).toBeNull();
  expect(((await response.json()) as Record<string, unknown>).info).toBeDefined();
});
