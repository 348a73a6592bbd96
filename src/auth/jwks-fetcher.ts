import type { Fetcher } from 'aws-jwt-verify/https';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * aws-jwt-verify's own fetcher speaks HTTPS only. This one uses the runtime's `fetch`, so it also reaches an issuer
 * on loopback over plain HTTP (the local runtime's token issuer, the tests' JWKS server); any other host must
 * still be HTTPS, so a misconfigured parameter cannot make production trust keys fetched in the clear.
 */
export class JwksFetcher implements Fetcher {
  readonly timeoutMs: number;
  constructor(timeoutMs = 3000) {
    this.timeoutMs = timeoutMs;
  }

  async fetch(uri: string): Promise<ArrayBuffer> {
    const url = new URL(uri);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
      throw new Error(`JWKS URI must be https (or http on loopback): ${uri}`);
    }
    const response = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
    if (response.status !== 200) throw new Error(`JWKS ${uri} answered ${response.status}`);
    return response.arrayBuffer();
  }
}
