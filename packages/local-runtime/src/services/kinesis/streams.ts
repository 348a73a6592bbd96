import { isObject } from '../../template/load.ts';
import type { LocalStack } from '../../template/stack.ts';

/** A stream the template declares, as the local Kinesis creates it. */
export interface StreamSeed {
  logicalId: string;
  name: string;
  arn: string;
  shardCount: number;
}

// AWS creates an on-demand stream with 4 shards (Kinesis developer guide, "Choosing the data stream capacity
// mode": "a new on-demand stream ... 4 MB/second write capacity", i.e. four shards of 1 MB/s each).
const ON_DEMAND_SHARDS = 4;

/**
 * The template's AWS::Kinesis::Stream resources: the name is Name or the one CloudFormation would give (Ref), the
 * shards ShardCount (1 when absent, as CloudFormation does for a provisioned stream), an ON_DEMAND stream 4. What does
 * not apply locally (on-demand scaling, retention, encryption) is returned as notes.
 */
export const streamSeedsOf = (stack: LocalStack): { seeds: StreamSeed[]; notes: string[] } => {
  const seeds: StreamSeed[] = [];
  const notes: string[] = [];
  for (const { logicalId } of stack.ofType('AWS::Kinesis::Stream')) {
    const properties = stack.properties(logicalId);
    const mode = isObject(properties.StreamModeDetails) ? String(properties.StreamModeDetails.StreamMode) : undefined;
    let shardCount = Number(properties.ShardCount ?? 1);
    if (mode === 'ON_DEMAND') {
      shardCount = ON_DEMAND_SHARDS;
      notes.push(
        `${logicalId}: ON_DEMAND stream with ${ON_DEMAND_SHARDS} shards, as AWS starts one; it does not scale`,
      );
    } else if (!Number.isInteger(shardCount) || shardCount < 1) {
      notes.push(`${logicalId}: ShardCount ${String(properties.ShardCount)} is not a positive whole number; 1 shard`);
      shardCount = 1;
    }
    if (properties.RetentionPeriodHours !== undefined) {
      notes.push(`${logicalId}.RetentionPeriodHours: records are kept while the runtime runs, not for a period`);
    }
    seeds.push({ logicalId, name: stack.ref(logicalId), arn: stack.getAtt(logicalId, 'Arn'), shardCount });
  }
  return { seeds, notes };
};
