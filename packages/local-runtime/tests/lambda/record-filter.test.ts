import {
  DYNAMODB_RECORD,
  FilterCriteriaError,
  KINESIS_DATA,
  recordFilterOf,
  SQS_BODY,
} from '../../src/lambda/event-sources/record-filter.ts';

const criteria = (...patterns: object[]) => ({
  Filters: patterns.map((pattern) => ({ Pattern: JSON.stringify(pattern) })),
});
const sqs = (body: string) => ({ messageId: 'm', body, eventSource: 'aws:sqs', attributes: { SenderId: 'AIDA' } });

describe('Lambda event filtering (FilterCriteria)', () => {
  it('matches JSON bodies against JSON rules, with the EventBridge operators', () => {
    const filter = recordFilterOf(
      criteria({ body: { RequestCode: ['BBBB'], Price: [{ numeric: ['>', 10] }] } }),
      SQS_BODY,
    );
    expect(filter?.(sqs('{"RequestCode":"BBBB","Price":12}'))).toBe(true);
    expect(filter?.(sqs('{"RequestCode":"BBBB","Price":9}'))).toBe(false);
    expect(filter?.(sqs('{"RequestCode":"AAAA","Price":12}'))).toBe(false);
  });

  it("drops a body whose format is not the rules' (plain text against JSON rules, JSON against plain-string rules)", () => {
    const json = recordFilterOf(criteria({ body: { kind: ['a'] } }), SQS_BODY);
    expect(json?.(sqs('kind a'))).toBe(false);
    const text = recordFilterOf(criteria({ body: [{ prefix: 'hello' }] }), SQS_BODY);
    expect(text?.(sqs('hello world'))).toBe(true);
    expect(text?.(sqs('"hello world"'))).toBe(false);
  });

  it('delivers a record any one filter matches; without rules for the body, other fields decide', () => {
    const filter = recordFilterOf(
      criteria({ body: { kind: ['a'] } }, { attributes: { SenderId: ['AIDA'] } }),
      SQS_BODY,
    );
    expect(filter?.(sqs('not json'))).toBe(true);
    expect(recordFilterOf(criteria({ eventSource: ['aws:kinesis'] }), SQS_BODY)?.(sqs('{"kind":"a"}'))).toBe(false);
  });

  it('reads Kinesis data as base64 JSON and DynamoDB images as they are', () => {
    const kinesis = recordFilterOf(criteria({ data: { City: ['Seattle'] } }), KINESIS_DATA);
    const data = (value: string) => ({ partitionKey: '1', data: Buffer.from(value).toString('base64') });
    expect(kinesis?.(data('{"City":"Seattle"}'))).toBe(true);
    expect(kinesis?.(data('Seattle'))).toBe(false);
    const dynamodb = recordFilterOf(criteria({ dynamodb: { Keys: { Id: { N: ['101'] } } } }), DYNAMODB_RECORD);
    expect(dynamodb?.({ eventName: 'INSERT', dynamodb: { Keys: { Id: { N: '101' } } } })).toBe(true);
    expect(dynamodb?.({ eventName: 'INSERT', dynamodb: { Keys: { Id: { N: '102' } } } })).toBe(false);
  });

  it('has no filter without filters, and refuses criteria Lambda refuses, naming what is wrong', () => {
    expect(recordFilterOf(undefined, SQS_BODY)).toBeUndefined();
    expect(recordFilterOf({ Filters: [] }, SQS_BODY)).toBeUndefined();
    expect(() => recordFilterOf({ Filters: [{ Pattern: '{not json' }] }, SQS_BODY)).toThrow(FilterCriteriaError);
    expect(() => recordFilterOf({ Filters: [{ Pattern: 'x'.repeat(4097) }] }, SQS_BODY)).toThrow(/4096/);
    expect(() => recordFilterOf(criteria(...Array.from({ length: 11 }, () => ({ a: ['b'] }))), SQS_BODY)).toThrow(
      /at most 10/,
    );
    expect(() => recordFilterOf(criteria({ data: ['plain'] }), KINESIS_DATA)).toThrow(/must be a JSON object/);
    expect(() => recordFilterOf(criteria({ body: { n: [{ numeric: ['>'] }] } }), SQS_BODY)).toThrow(/Filters\[0\]/);
  });
});
