import type { RunningRuntime } from '../src/testing/index.ts';

/** The local URL of each queue named (by the logical id its generated name holds), read from `/_local/queues`. */
export const queueUrlsOf = async (runtime: RunningRuntime, logicalIds: string[]): Promise<Record<string, string>> => {
  const listed = (await (await fetch(`${runtime.info.restUrl}/_local/queues`)).json()) as {
    name: string;
    url: string;
  }[];
  const urls: Record<string, string> = {};
  for (const logicalId of logicalIds) {
    const queue = listed.find((candidate) => candidate.name.includes(logicalId));
    if (!queue) throw new Error(`no ${logicalId}`);
    urls[logicalId] = queue.url;
  }
  return urls;
};
