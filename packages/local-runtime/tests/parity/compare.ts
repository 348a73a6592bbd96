/**
 * Compares what the runtime answered with what AWS recorded. Masked, as the recordings' own transformers mask:
 * a recorded `<name>` or `<name:n>` stands for a value that varies from run to run (ids, hosts, dates), so any value
 * there matches; `accountId` was replaced by 111111111111; keys named in `anyValue` were replaced by a fixed text
 * (`key_value(..., reference_replacement=False)`); keys named in `ignored` are CloudFront's, absent without it.
 */
export interface Masks {
  /** Keys whose value varies (the recording holds a fixed text in their place). */
  anyValue?: string[];
  /** Keys left out on both sides. */
  ignored?: string[];
  /** Compare object keys case-insensitively (response headers: HTTP header names are case-insensitive). */
  caseInsensitiveKeys?: boolean;
}

/** The headers CloudFront adds in front of an edge-optimized API (test_apigateway_lambda.py CLOUDFRONT_SKIP_HEADERS). */
export const CLOUDFRONT_HEADERS = [
  'Via',
  'X-Amz-Cf-Id',
  'X-Amz-Cf-Pop',
  'X-Cache',
  'CloudFront-Forwarded-Proto',
  'CloudFront-Is-Desktop-Viewer',
  'CloudFront-Is-Mobile-Viewer',
  'CloudFront-Is-SmartTV-Viewer',
  'CloudFront-Is-Tablet-Viewer',
  'CloudFront-Viewer-ASN',
  'CloudFront-Viewer-Country',
];

/**
 * Hop-by-hop headers of the connection between the client and the first server (RFC 9110 §7.6.1): on AWS that
 * server is CloudFront, whose own Keep-Alive policy the recordings show, not API Gateway's.
 */
const HOP_BY_HOP = ['Keep-Alive'];

const PLACEHOLDER = /^<[^<>]+>$/;
const RECORDED_ACCOUNT = '111111111111';
/**
 * A value with placeholders or the account inside it (an ARN: `arn:<partition>:ssm:<region>:111111111111:...`, a
 * User-Agent: `AmazonAPIGateway_<rest_api_id:1>`): the rest of the text must match.
 */
const EMBEDDED = /<[a-z][\w:-]*>|\b111111111111\b/;

/** The recorded text as a pattern: each placeholder stands for a non-empty part without separators. */
const embeddedPattern = (recorded: string): RegExp => {
  const parts = recorded.split(/(<[a-z][\w:-]*>|\b111111111111\b)/);
  const source = parts
    .map((part, index) => {
      if (index % 2 === 0) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      return part === RECORDED_ACCOUNT ? '\\d{12}' : '[^:/]+';
    })
    .join('');
  return new RegExp(`^${source}$`);
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every difference, as `path: recorded … got …`; none means the answer matches the recording. */
export const differences = (recorded: unknown, actual: unknown, masks: Masks = {}, path = '$'): string[] => {
  const anyValue = new Set((masks.anyValue ?? []).map((key) => key.toLowerCase()));
  const ignored = new Set(
    [...(masks.ignored ?? []), ...CLOUDFRONT_HEADERS, ...HOP_BY_HOP].map((key) => key.toLowerCase()),
  );
  const walk = (expected: unknown, got: unknown, at: string, key: string): string[] => {
    if (typeof expected === 'string' && PLACEHOLDER.test(expected)) {
      return got === undefined ? [`${at}: recorded ${expected}, missing`] : [];
    }
    if (anyValue.has(key.toLowerCase())) return got === undefined ? [`${at}: recorded, missing`] : [];
    if (typeof expected === 'string' && EMBEDDED.test(expected)) {
      return typeof got === 'string' && embeddedPattern(expected).test(got)
        ? []
        : [`${at}: recorded ${JSON.stringify(expected)}, got ${JSON.stringify(got)}`];
    }
    if (key === 'accountId' && expected === RECORDED_ACCOUNT) {
      return typeof got === 'string' && /^\d{12}$/.test(got) ? [] : [`${at}: recorded an account id, got ${got}`];
    }
    if (Array.isArray(expected)) {
      if (!Array.isArray(got) || got.length !== expected.length) {
        return [`${at}: recorded ${JSON.stringify(expected)}, got ${JSON.stringify(got)}`];
      }
      return expected.flatMap((item, index) => walk(item, got[index], `${at}[${index}]`, key));
    }
    if (isObject(expected)) {
      if (!isObject(got)) return [`${at}: recorded an object, got ${JSON.stringify(got)}`];
      const fold = (name: string) => (masks.caseInsensitiveKeys ? name.toLowerCase() : name);
      const gotByKey = new Map(Object.entries(got).map(([name, value]) => [fold(name), value] as const));
      const expectedKeys = new Set(Object.keys(expected).map(fold));
      const out: string[] = [];
      for (const [name, value] of Object.entries(expected)) {
        if (ignored.has(name.toLowerCase())) continue;
        if (!gotByKey.has(fold(name))) out.push(`${at}.${name}: recorded ${JSON.stringify(value)}, missing`);
        else out.push(...walk(value, gotByKey.get(fold(name)), `${at}.${name}`, name));
      }
      for (const name of Object.keys(got)) {
        if (ignored.has(name.toLowerCase()) || expectedKeys.has(fold(name))) continue;
        out.push(`${at}.${name}: not recorded, got ${JSON.stringify(got[name])}`);
      }
      return out;
    }
    return Object.is(expected, got) ? [] : [`${at}: recorded ${JSON.stringify(expected)}, got ${JSON.stringify(got)}`];
  };
  return walk(recorded, actual, path, '');
};
