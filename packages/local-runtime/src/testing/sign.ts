import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

/** Signs a request to the local runtime with SigV4 as an AWS SDK client would (service execute-api). */
export const signedHeaders = async (
  url: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
  region: string,
  method = 'GET',
  body = '',
): Promise<Record<string, string>> => {
  const target = new URL(url);
  const signer = new SignatureV4({ credentials, region, service: 'execute-api', sha256: Hash.bind(null, 'sha256') });
  const signed = await signer.sign({
    method,
    protocol: target.protocol,
    hostname: target.hostname,
    port: Number(target.port),
    path: target.pathname,
    query: Object.fromEntries(target.searchParams),
    headers: { host: target.host, ...(body ? { 'content-type': 'application/json' } : {}) },
    body,
  });
  return signed.headers as Record<string, string>;
};
