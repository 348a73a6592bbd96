import { type MetricPoint, parseEmf } from 'sam-local-runtime/metrics/emf';

/**
 * The metrics a call emits: Powertools Metrics writes CloudWatch embedded metric format lines to stdout, read here
 * with the local runtime's own EMF reader (what `/_local/metrics` shows). Other output passes through.
 */
export const emittedMetrics = async (run: () => Promise<unknown>): Promise<MetricPoint[]> => {
  const points: MetricPoint[] = [];
  const stdout = process.stdout;
  const write = stdout.write;
  stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const found = text
      .split('\n')
      .map((line) => parseEmf(line))
      .filter((line) => line !== undefined);
    if (found.length === 0) return write.call(stdout, chunk, ...rest);
    points.push(...found.flat());
    return true;
  }) as typeof stdout.write;
  try {
    // A handler that throws still publishes what it stored; its error is the handler tests' business.
    await run().catch(() => undefined);
  } finally {
    stdout.write = write;
  }
  return points;
};

/** `name` → its value(s), per dimension set: `OrdersPlaced{service,stage,channel=v1} = 1`. */
export const summary = (points: MetricPoint[]): string[] =>
  points.map((point) => {
    const dimensions = Object.entries(point.dimensions)
      .map(([key, value]) => (key === 'service' || key === 'stage' ? key : `${key}=${value}`))
      .join(',');
    return `${point.namespace}/${point.name}{${dimensions}} ${point.unit} = ${point.values.join(',')}`;
  });
