import { GetQueueAttributesCommand, ListQueuesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { eventually } from '../../src/testing/index.ts';
import { fixtureRuntime } from '../fixture-runtime.ts';

/**
 * FilterCriteria on SQS event sources (Lambda developer guide, "Lambda event filtering"): the function gets only the
 * messages a filter matches, the others are deleted from the queue, and criteria Lambda would refuse are named at
 * start-up with the mapping not run.
 */
const runtime = fixtureRuntime('sqs-filter');

const queueNamed = async (sqs: SQSClient, logicalId: string): Promise<string> => {
  const { QueueUrls = [] } = await sqs.send(new ListQueuesCommand({}));
  const url = QueueUrls.find((candidate) => candidate.includes(`-${logicalId}-`));
  if (!url) throw new Error(`no queue ${logicalId} in ${QueueUrls.join(', ')}`);
  return url;
};

const emptied = async (sqs: SQSClient, url: string) =>
  eventually(async () => {
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return Attributes.ApproximateNumberOfMessages === '0' && Attributes.ApproximateNumberOfMessagesNotVisible === '0';
  }, 20_000);

it('delivers the messages a SAM event filter matches and deletes the others', async () => {
  const sqs = new SQSClient(runtime.clientConfig('sqs'));
  const url = await queueNamed(sqs, 'Orders');
  for (const body of [
    '{"kind":"order","total":50}',
    '{"kind":"refund","total":500}',
    'kind order',
    '{"kind":"order","total":150}',
  ]) {
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
  }
  expect(await runtime.waitForOutput(/delivered:\{"kind":"order","total":150\}/, 20_000)).toBe(true);
  expect(await emptied(sqs, url)).toBe(true);
  expect(runtime.output()).not.toMatch(/delivered:(\{"kind":"order","total":50\}|\{"kind":"refund"|kind order)/);
}, 60_000);

it("applies an EventSourceMapping's plain-string rules to plain-text bodies", async () => {
  const sqs = new SQSClient(runtime.clientConfig('sqs'));
  const url = await queueNamed(sqs, 'Notes');
  for (const body of ['routine: tidy up', '"urgent: quoted JSON"', 'urgent: call back']) {
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
  }
  expect(await runtime.waitForOutput(/delivered:urgent: call back/, 20_000)).toBe(true);
  expect(await emptied(sqs, url)).toBe(true);
  expect(runtime.output()).not.toMatch(/delivered:(routine|"urgent)/);
}, 60_000);

it('names a mapping whose FilterCriteria Lambda would refuse, and does not run it', () => {
  expect(runtime.output()).toMatch(/BrokenMapping: FilterCriteria\.Filters\[0\]\.Pattern: .*numeric/);
});
