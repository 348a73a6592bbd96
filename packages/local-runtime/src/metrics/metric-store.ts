import type { MetricPoint } from './emf.ts';

/** One metric of one dimension set, as `/_local/metrics` shows it. */
export interface MetricSeries {
  namespace: string;
  name: string;
  unit: string;
  dimensions: Record<string, string>;
  /** The function whose output it came from (its logical id). */
  source: string;
  latest: number;
  /** Values and data points received since start. */
  count: number;
  sum: number;
  updatedAt: number;
  /** The last data points, oldest first: `[epoch ms, value]`. */
  points: [number, number][];
}

const MAX_POINTS = 60;
const MAX_SERIES = 500;

/** Metrics the functions emitted (EMF lines of their output), per namespace, name and dimension set. */
export class MetricStore {
  private readonly series = new Map<string, MetricSeries>();

  add(source: string, points: MetricPoint[]): void {
    for (const point of points) {
      const dimensions = Object.fromEntries(Object.entries(point.dimensions).sort(([a], [b]) => a.localeCompare(b)));
      const key = JSON.stringify([point.namespace, point.name, dimensions]);
      let series = this.series.get(key);
      if (!series) {
        if (this.series.size >= MAX_SERIES) continue;
        series = {
          namespace: point.namespace,
          name: point.name,
          unit: point.unit,
          dimensions,
          source,
          latest: 0,
          count: 0,
          sum: 0,
          updatedAt: point.timestamp,
          points: [],
        };
        this.series.set(key, series);
      }
      for (const value of point.values) {
        series.latest = value;
        series.count += 1;
        series.sum += value;
        series.points.push([point.timestamp, value]);
      }
      series.updatedAt = point.timestamp;
      series.source = source;
      if (series.points.length > MAX_POINTS) series.points.splice(0, series.points.length - MAX_POINTS);
    }
  }

  /** By namespace, then name, then dimensions. */
  all(): MetricSeries[] {
    return [...this.series.values()].sort(
      (a, b) =>
        a.namespace.localeCompare(b.namespace) ||
        a.name.localeCompare(b.name) ||
        JSON.stringify(a.dimensions).localeCompare(JSON.stringify(b.dimensions)),
    );
  }
}
