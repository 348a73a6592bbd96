import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JwksFetcher } from '../../../src/auth/jwks-fetcher.ts';

describe('JwksFetcher', () => {
  it('refuses plain HTTP to anything but loopback, so keys are never fetched in the clear', async () => {
    await expect(new JwksFetcher().fetch('http://idp.example.com/jwks.json')).rejects.toThrow(/must be https/);
    await expect(new JwksFetcher().fetch('ftp://127.0.0.1/jwks.json')).rejects.toThrow(/must be https/);
  });

  it('fetches from loopback and reports a non-200 answer', async () => {
    const server = createServer((request, response) => {
      if (request.url === '/ok') response.writeHead(200).end('{"keys":[]}');
      else response.writeHead(503).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const body = await new JwksFetcher().fetch(`http://127.0.0.1:${port}/ok`);
      expect(new TextDecoder().decode(body)).toBe('{"keys":[]}');
      await expect(new JwksFetcher().fetch(`http://127.0.0.1:${port}/down`)).rejects.toThrow(/answered 503/);
    } finally {
      server.close();
    }
  });
});
