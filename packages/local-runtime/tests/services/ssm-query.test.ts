import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type SsmService, startSsmService } from '../../src/services/ssm/server.ts';
import { signedHeaders } from '../../src/testing/index.ts';
import { authFor, testKey } from './local-auth.ts';

/**
 * SSM's Query protocol on the local endpoint (what API Gateway's `ssm:action/...` integrations speak), black-box over
 * loopback: XML by default, the same document as JSON for `Accept: application/json`, as recorded on AWS in
 * test_apigateway_ssm.snapshot.json test_get_parameter_query_protocol.
 */
const REGION = 'us-east-1';
let ssm: SsmService;

beforeAll(async () => {
  ssm = await startSsmService({
    parameters: [{ name: 'greeting', value: 'hello', type: 'String' }],
    region: REGION,
    accountId: '123456789012',
    auth: authFor(REGION),
  });
});
afterAll(() => ssm.close());

const query = async (parameters: string, accept?: string) => {
  const url = `${ssm.url}/?${parameters}`;
  const headers = await signedHeaders(url, testKey, REGION, 'POST', '', {
    service: 'ssm',
    headers: accept ? { accept } : {},
  });
  return fetch(url, { method: 'POST', headers });
};

describe('the SSM Query protocol', () => {
  it('answers GetParameter as XML by default', async () => {
    const answer = await query('Action=GetParameter&Name=greeting');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/xml');
    const text = await answer.text();
    expect(text).toMatch(
      /^<\?xml version="1\.0"\?><GetParameterResponse xmlns="http:\/\/ssm\.amazonaws\.com\/doc\/2014-11-06\/"><GetParameterResult><Parameter>/,
    );
    expect(text).toContain('<Name>greeting</Name>');
    expect(text).toContain('<Value>hello</Value>');
    expect(text).toContain('<Version>1</Version>');
    expect(text).toMatch(/<LastModifiedDate>\d{4}-\d\d-\d\dT[^<]+<\/LastModifiedDate>/);
    expect(text).toMatch(/<ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata>/);
  });

  it('answers the same document as JSON for Accept: application/json, absent members as null', async () => {
    const answer = await query('Action=GetParameter&Name=greeting', 'application/json');
    expect(answer.headers.get('content-type')).toBe('application/json');
    expect(await answer.json()).toEqual({
      GetParameterResponse: {
        GetParameterResult: {
          Parameter: {
            ARN: 'arn:aws:ssm:us-east-1:123456789012:parameter/greeting',
            DataType: 'text',
            LastModifiedDate: expect.any(Number),
            Name: 'greeting',
            Selector: null,
            SourceResult: null,
            Type: 'String',
            Value: 'hello',
            Version: 1,
          },
        },
        ResponseMetadata: { RequestId: expect.stringMatching(/^[0-9a-f-]{36}$/) },
      },
    });
  });

  it("answers a missing parameter and an unknown action with the Query protocol's error document", async () => {
    const missing = await query('Action=GetParameter&Name=nope', 'application/json');
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ Error: { Type: 'Sender', Code: 'ParameterNotFound' } });
    const unknown = await query('Action=Nope');
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('<Code>InvalidAction</Code>');
  });

  it('refuses a request not signed with the local credentials', async () => {
    const answer = await fetch(`${ssm.url}/?Action=GetParameter&Name=greeting`, { method: 'POST' });
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(await answer.text()).toContain('<ErrorResponse');
  });
});
