import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestUrl } from '../shared/request-url.ts';
import { escapeHtml, htmlPage, wantsHtml } from '../traces/trace-pages.ts';
import type { MetricSeries, MetricStore } from './metric-store.ts';

/** A small line chart of a series' last points, as inline SVG. */
const sparkline = (series: MetricSeries): string => {
  const width = 160;
  const height = 32;
  const values = series.points.map(([, value]) => value);
  if (values.length === 0) return '';
  const max = Math.max(...values);
  const min = Math.min(0, ...values);
  const span = max - min || 1;
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  const points = values
    .map((value, i) => `${(i * step).toFixed(1)},${(height - 2 - ((value - min) / span) * (height - 4)).toFixed(1)}`)
    .join(' ');
  const dot = values.length === 1 ? `<circle cx="2" cy="${points.split(',')[1]}" r="2" fill="#1f5fbf"/>` : '';
  return `<svg class="chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(series.name)} over its last ${values.length} points"><polyline fill="none" stroke="#1f5fbf" stroke-width="1.5" points="${points}"/>${dot}</svg>`;
};

const dimensionsText = (dimensions: Record<string, string>) =>
  Object.entries(dimensions)
    .map(([key, value]) => `${key}=${value}`)
    .join(', ');

const metricsHtml = (all: MetricSeries[]): string =>
  htmlPage(
    'Metrics',
    `<h1>Metrics</h1><p class="muted">What the functions emitted in CloudWatch embedded metric format (EMF lines of their output), per metric and dimension set: the latest value, how many were received and their sum, and the last ${60} points.</p><table id="metrics"><thead><tr><th>namespace</th><th>metric</th><th>dimensions</th><th class="num">latest</th><th class="num">count</th><th class="num">sum</th><th>last points</th><th>from</th></tr></thead><tbody>${all
      .map(
        (series) =>
          `<tr data-metric="${escapeHtml(series.name)}"><td>${escapeHtml(series.namespace)}</td><td><strong>${escapeHtml(series.name)}</strong> <span class="muted">${escapeHtml(series.unit)}</span></td><td><code>${escapeHtml(dimensionsText(series.dimensions))}</code></td><td class="num">${series.latest}</td><td class="num">${series.count}</td><td class="num">${series.sum}</td><td>${sparkline(series)}</td><td class="muted">${escapeHtml(series.source)}</td></tr>`,
      )
      .join('')}</tbody></table>`,
  );

/** `GET /_local/metrics`: HTML for a browser, JSON otherwise (`?format=json|html` to choose). */
export const metricPages =
  (store: MetricStore) =>
  (request: IncomingMessage, response: ServerResponse): boolean => {
    const url = requestUrl(request.url);
    if (request.method !== 'GET' || url.pathname !== '/_local/metrics') return false;
    const all = store.all();
    if (wantsHtml(request, url)) {
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(metricsHtml(all));
    } else {
      response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ metrics: all }, null, 2));
    }
    return true;
  };
