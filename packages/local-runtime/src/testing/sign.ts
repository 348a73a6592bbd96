import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

/**
 * Signs a request to the local runtime with SigV4 as an AWS SDK client would: for `execute-api` (an AWS_IAM route,
 * @connections) unless `options.service` names another (`sqs`, `states`, `dynamodb`, `ssm`). `options.headers` are
 * sent and signed (without them, a body is `application/json`).
 */
export const signedHeaders = async (
  url: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
  region: string,
  method = 'GET',
  body = '',
  options: { service?: string; headers?: Record<string, string> } = {},
): Promise<Record<string, string>> => {
  const target = new URL(url);
  const signer = new SignatureV4({
    credentials,
    region,
    service: options.service ?? 'execute-api',
    sha256: Hash.bind(null, 'sha256'),
    // S3 signs its path as sent; the other services encode each segment twice ("Create a canonical request").
    uriEscapePath: options.service !== 's3',
  });
  const signed = await signer.sign({
    method,
    protocol: target.protocol,
    hostname: target.hostname,
    port: Number(target.port),
    path: target.pathname,
    query: Object.fromEntries(target.searchParams),
    headers: {
      host: target.host,
      ...(options.headers ?? (body ? { 'content-type': 'application/json' } : {})),
    },
    body,
  });
  return signed.headers as Record<string, string>;
};
