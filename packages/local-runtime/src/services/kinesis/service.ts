import type { ServiceDefinition } from '../registry.ts';
import { type KinesisService, startKinesisService } from './server.ts';
import { streamSeedsOf } from './streams.ts';

declare module '../registry.ts' {
  interface LocalServices {
    kinesis: KinesisService;
  }
}

/** Kinesis Data Streams (kinesalite) with the template's streams; a stream's Ref is its name, GetAtt Arn its ARN. */
export const kinesisService: ServiceDefinition<'kinesis'> = {
  name: 'kinesis',
  environmentVariable: 'AWS_ENDPOINT_URL_KINESIS',
  arnNames: ['kinesis'],
  endpointPrefix: 'kinesis',
  resourceTypes: ['AWS::Kinesis::Stream'],
  start: async ({ stack, auth, host, port, log, persistDir, endpointAt }) => {
    const { seeds, notes } = streamSeedsOf(stack);
    for (const note of notes) log(`[kinesis] ${note}`);
    if (persistDir && seeds.length > 0) {
      log(`[kinesis] streams are kept in memory: --persist does not keep their records between runs`);
    }
    const kinesis = await startKinesisService({
      streams: seeds,
      region: stack.region,
      auth,
      endpointAt,
      host,
      ...(port === undefined ? {} : { port }),
      log,
    });
    return {
      ...kinesis,
      pages: [{ path: '/_local/streams', what: 'Kinesis streams and their shards', read: () => kinesis.streams() }],
    };
  },
};
