import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  ListStreamsCommand,
} from '@aws-sdk/client-kinesis';
import type { RunningRuntime } from '../../../src/testing/index.ts';
import { send } from '../client.ts';
import type { Bases, Scenario } from '../scenario.ts';
import { once, responseMetadata } from './aws-services.ts';

/**
 * test_apigateway_kinesis.py::test_apigateway_to_kinesis: a REST API's AWS integration puts records on a stream of one
 * shard (PutRecord, PutRecords), and the test reads them back with GetRecords from an iterator taken (LATEST) before.
 */
const FILE = 'test_apigateway_kinesis';

// The bodies python-requests sent (`json=`: json.dumps with its ", " and ": " separators).
const PAYLOADS = {
  PutRecord: '{"kinesis": "snapshot"}',
  PutRecords:
    '{"records": [{"data": "{\\"foo\\": \\"bar1\\"}"}, {"data": "{\\"foo\\": \\"bar2\\"}"}, {"data": "{\\"foo\\": \\"bar3\\"}"}]}',
};

type Action = keyof typeof PAYLOADS;

/** boto3's rendering of a blob in the snapshot: Python's repr of bytes (no quote or escape in these payloads). */
const pythonBytes = (data: Uint8Array | undefined) => `b'${Buffer.from(data ?? []).toString('utf8')}'`;

const runs = new Map<string, Promise<{ response: { status: number; value: unknown }; records: unknown }>>();

const putAndRead = (bases: Bases, runtime: RunningRuntime, action: Action) =>
  once(runs, action, async () => {
    const kinesis = new KinesisClient(runtime.clientConfig('kinesis'));
    try {
      const { StreamNames = [] } = await kinesis.send(new ListStreamsCommand({}));
      const streamName = StreamNames.find((name) => name.includes(`-Kinesis${action}Stream-`));
      if (!streamName) throw new Error(`no stream Kinesis${action}Stream`);
      const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
      const { ShardIterator } = await kinesis.send(
        new GetShardIteratorCommand({
          StreamName: streamName,
          ShardId: Shards[0]?.ShardId,
          ShardIteratorType: 'LATEST',
        }),
      );
      const answer = await send(
        bases[`Kinesis${action}Api`] as string,
        'POST',
        '/dev/test',
        { 'Content-Type': 'application/json' },
        PAYLOADS[action],
      );
      const read = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
      // The recording's test skips EncryptionType and ChildShards (skip_snapshot_verify).
      const { $metadata, Records = [], ChildShards: _children, ...rest } = read;
      return {
        response: { status: answer.status, value: answer.content },
        records: {
          ...rest,
          Records: Records.map(({ EncryptionType: _encryption, Data, ...record }) => ({
            ...record,
            Data: pythonBytes(Data),
          })),
          ResponseMetadata: responseMetadata({ HTTPStatusCode: $metadata.httpStatusCode }),
        },
      };
    } finally {
      kinesis.destroy();
    }
  });

const scenario = (action: Action, key: 'apigateway_response' | 'kinesis_records'): Scenario => ({
  area: 'Kinesis',
  id: { file: FILE, test: `test_apigateway_to_kinesis[${action}]`, key },
  status: 200,
  masks: { anyValue: ['ApproximateArrivalTimestamp'] },
  run: async (bases, runtime) => {
    const { response, records } = await putAndRead(bases, runtime, action);
    return key === 'apigateway_response' ? response : { status: 200, value: records };
  },
});

export const kinesis: Scenario[] = (['PutRecord', 'PutRecords'] as const).flatMap((action) => [
  scenario(action, 'apigateway_response'),
  scenario(action, 'kinesis_records'),
]);
