/**
 * CloudWatch embedded metric format (CloudWatch user guide, "Specification: Embedded metric format"): a log line
 * that is a JSON object whose `_aws` member names, under `CloudWatchMetrics`, each directive's namespace, dimension
 * sets and metrics; the values are the root members of the same names. CloudWatch Logs turns such a line into metric
 * data points; the local runtime reads the same lines from a function's output.
 */
export interface MetricPoint {
  namespace: string;
  name: string;
  unit: string;
  /** A metric's value may be an array of values (all counted). */
  values: number[];
  /** One dimension set, with each dimension's value. */
  dimensions: Record<string, string>;
  /** Epoch ms (`_aws.Timestamp`). */
  timestamp: number;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** The data points of one EMF line; undefined when the line is not EMF (not JSON, or no `_aws.CloudWatchMetrics`). */
export const parseEmf = (line: string): MetricPoint[] | undefined => {
  const text = line.trim();
  if (!text.startsWith('{') || !text.includes('"_aws"')) return undefined;
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(document) || !isRecord(document._aws) || !Array.isArray(document._aws.CloudWatchMetrics)) {
    return undefined;
  }
  const timestamp = typeof document._aws.Timestamp === 'number' ? document._aws.Timestamp : Date.now();
  const points: MetricPoint[] = [];
  for (const directive of document._aws.CloudWatchMetrics) {
    if (!isRecord(directive) || typeof directive.Namespace !== 'string' || !Array.isArray(directive.Metrics)) continue;
    // A directive without dimension sets publishes its metrics without dimensions.
    const sets = Array.isArray(directive.Dimensions) && directive.Dimensions.length > 0 ? directive.Dimensions : [[]];
    for (const metric of directive.Metrics) {
      if (!isRecord(metric) || typeof metric.Name !== 'string') continue;
      const raw = document[metric.Name];
      const values = (Array.isArray(raw) ? raw : [raw]).filter(
        (value): value is number => typeof value === 'number' && Number.isFinite(value),
      );
      if (values.length === 0) continue;
      for (const set of sets) {
        if (!Array.isArray(set)) continue;
        const dimensions = Object.fromEntries(
          set.filter((key): key is string => typeof key === 'string').map((key) => [key, String(document[key] ?? '')]),
        );
        points.push({
          namespace: directive.Namespace,
          name: metric.Name,
          unit: typeof metric.Unit === 'string' ? metric.Unit : 'None',
          values,
          dimensions,
          timestamp,
        });
      }
    }
  }
  return points;
};

/** `OrdersPlaced=1 Count {channel=v1, stage=dev}`: one point, in one line of the log. */
export const describePoint = (point: MetricPoint): string => {
  const dimensions = Object.entries(point.dimensions)
    .map(([key, value]) => `${key}=${value}`)
    .join(', ');
  const values = point.values.length === 1 ? String(point.values[0]) : `[${point.values.join(', ')}]`;
  return `${point.name}=${values}${point.unit === 'None' ? '' : ` ${point.unit}`}${dimensions ? ` {${dimensions}}` : ''}`;
};

/** The compact log line of an EMF line: the namespace once, then each point (the same metric's dimension sets once). */
export const describeEmf = (points: MetricPoint[]): string => {
  const namespaces = [...new Set(points.map((point) => point.namespace))];
  const seen = new Set<string>();
  const shown = points.filter((point) => {
    const key = `${point.namespace}\u0000${point.name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return `[metrics] ${namespaces.join(', ')}: ${shown.map(describePoint).join('; ')}`;
};
