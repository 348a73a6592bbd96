import type { IncomingMessage, ServerResponse } from 'node:http';
import { decodedPathPart, requestUrl } from '../shared/request-url.ts';
import { isTraceId, parseTraceHeader } from './trace-header.ts';
import type { TraceStore, TraceSummary } from './trace-store.ts';
import { type Waterfall, waterfallOf } from './waterfall.ts';

export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

export const wantsHtml = (request: IncomingMessage, url: URL): boolean =>
  url.searchParams.get('format') !== 'json' &&
  (url.searchParams.get('format') === 'html' || /text\/html/.test(request.headers.accept ?? ''));

export const PAGE_STYLE = [
  'body{font:14px/1.45 system-ui,sans-serif;margin:1.5rem auto;max-width:72rem;padding:0 1rem;color:#1d2330}',
  'a{color:#1f5fbf}h1{font-size:1.4rem;margin:.2rem 0 1rem}code{background:#f3f3f3;padding:0 .25rem}',
  'table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #e6e8ee;vertical-align:middle}',
  'th{font-weight:600;color:#5b6475;font-size:.85rem}.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}',
  '.muted{color:#6b7385}.error{color:#b3261e}.fault{color:#b3261e;font-weight:600}nav{margin-bottom:1rem}',
].join('');

export const htmlPage = (title: string, body: string): string =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${PAGE_STYLE}${WATERFALL_STYLE}</style></head><body><nav><a href="/_local">sam-local-runtime</a> · <a href="/_local/traces">traces</a> · <a href="/_local/metrics">metrics</a></nav>${body}</body></html>`;

const WATERFALL_STYLE = [
  '.waterfall{table-layout:fixed}.waterfall th:nth-child(1){width:30%}.waterfall th:nth-child(2){width:22%}',
  '.waterfall th:nth-child(3){width:6rem}.waterfall td{overflow:hidden;text-overflow:ellipsis}',
  '.waterfall td.name{white-space:nowrap}.waterfall td.what{font-size:.8rem}',
  '.waterfall td.bar{position:relative}.track{position:relative;height:14px;background:#f4f5f8;border-radius:3px}',
  '.span{position:absolute;top:0;height:14px;border-radius:3px;min-width:2px;background:#4f7fd9}',
  '.span.k-gateway{background:#8a63d2}.span.k-lambda{background:#e8891c}.span.k-aws{background:#2f9e6e}',
  '.span.k-states{background:#c2487a}.span.k-state{background:#e07ba4}.span.k-handler{background:#f0b45a}',
  '.span.error,.span.fault{background:#d9534f}.kind{font-size:.75rem;color:#6b7385;margin-left:.4rem}',
].join('');

const ms = (value: number | undefined): string => (value === undefined ? 'in progress' : `${value.toFixed(1)} ms`);

/** A CSS class for the bar: what kind of hop it is. */
const kindClass = (kind: string, name: string): string => {
  if (kind === 'AWS::ApiGateway::Stage' || kind === 'gateway') return 'k-gateway';
  if (kind === 'AWS::Lambda::Function') return 'k-lambda';
  if (kind === 'AWS::StepFunctions::StateMachine') return 'k-states';
  if (kind === 'aws') return 'k-aws';
  if (kind === 'state') return 'k-state';
  if (name.startsWith('## ')) return 'k-handler';
  return 'k-sdk';
};

export const waterfallHtml = (waterfall: Waterfall): string => {
  const total = Math.max(waterfall.durationMs, 0.001);
  const rows = waterfall.rows
    .map((row) => {
      const left = (row.offsetMs / total) * 100;
      const width = ((row.durationMs ?? total - row.offsetMs) / total) * 100;
      const annotations = Object.entries(row.annotations)
        .map(([key, value]) => `${key}=${String(value)}`)
        .join(' ');
      const title = [row.name, row.kind, row.detail, annotations].filter(Boolean).join(' · ');
      return `<tr data-span="${escapeHtml(row.name)}" data-kind="${escapeHtml(row.kind)}" data-duration-ms="${row.durationMs?.toFixed(3) ?? ''}"><td class="name" style="padding-left:${0.5 + row.depth * 1.1}rem" title="${escapeHtml(title)}">${escapeHtml(row.name)}<span class="kind">${escapeHtml(row.kind)}</span></td><td class="muted what">${escapeHtml(row.detail)}${annotations ? ` <code>${escapeHtml(annotations)}</code>` : ''}</td><td class="num ${row.status === 'ok' ? '' : row.status}">${ms(row.durationMs)}</td><td class="bar"><div class="track"><div class="span ${kindClass(row.kind, row.name)} ${row.status === 'ok' ? '' : row.status}" style="left:${left.toFixed(2)}%;width:${Math.max(width, 0.2).toFixed(2)}%"></div></div></td></tr>`;
    })
    .join('');
  return htmlPage(
    `Trace ${waterfall.traceId}`,
    `<h1>Trace <code>${escapeHtml(waterfall.traceId)}</code></h1><p class="muted">${new Date(waterfall.startedAt).toISOString()} · ${waterfall.durationMs.toFixed(1)} ms · ${waterfall.rows.length} spans · <a href="/_local/traces/${escapeHtml(waterfall.traceId)}?format=json">JSON</a></p><table class="waterfall" id="waterfall"><thead><tr><th>span</th><th>what</th><th class="num">time</th><th>timeline</th></tr></thead><tbody>${rows}</tbody></table>`,
  );
};

const listHtml = (summaries: TraceSummary[]): string =>
  htmlPage(
    'Traces',
    `<h1>Traces</h1><p class="muted">The last ${summaries.length} traces, newest first. A REST API answer names its trace in <code>X-Amzn-Trace-Id</code>; open <code>/_local/traces/&lt;trace id&gt;</code>.</p><table id="traces"><thead><tr><th>when</th><th>trace</th><th>request</th><th class="num">spans</th><th class="num">time</th></tr></thead><tbody>${summaries
      .map(
        (trace) =>
          `<tr class="${trace.error ? 'error' : ''}"><td>${new Date(trace.start * 1000).toISOString().slice(11, 23)}</td><td><a href="/_local/traces/${escapeHtml(trace.traceId)}">${escapeHtml(trace.traceId)}</a></td><td>${escapeHtml(trace.title ?? trace.name)}</td><td class="num">${trace.spans}</td><td class="num">${ms(trace.durationMs)}</td></tr>`,
      )
      .join('')}</tbody></table>`,
  );

/** `abc` in `/_local/traces/abc`: a trace id, or the whole header an answer carried (`Root=1-...;Sampled=1`). */
const traceIdOf = (text: string): string | undefined => {
  const decoded = decodedPathPart(text);
  if (decoded === undefined) return undefined;
  return isTraceId(decoded) ? decoded : parseTraceHeader(decoded)?.root;
};

const send = (response: ServerResponse, status: number, type: string, body: string) => {
  response.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' }).end(body);
};

/**
 * `GET /_local/traces` (the recent traces) and `GET /_local/traces/{trace id or X-Amzn-Trace-Id}` (one trace as a
 * waterfall): HTML for a browser, JSON otherwise (`?format=json|html` to choose).
 */
export const tracePages =
  (store: TraceStore) =>
  (request: IncomingMessage, response: ServerResponse): boolean => {
    const url = requestUrl(request.url);
    if (request.method !== 'GET' || !/^\/_local\/traces(\/|$)/.test(url.pathname)) return false;
    const html = wantsHtml(request, url);
    const rest = url.pathname.slice('/_local/traces'.length).replace(/^\//, '');
    const wanted = rest || url.searchParams.get('id') || '';
    if (!wanted) {
      const summaries = store.list();
      if (html) send(response, 200, 'text/html; charset=utf-8', listHtml(summaries));
      else send(response, 200, 'application/json', JSON.stringify({ traces: summaries }, null, 2));
      return true;
    }
    const traceId = traceIdOf(wanted);
    const trace = traceId ? store.get(traceId) : undefined;
    if (!trace) {
      const message = traceId ? `no trace ${traceId} here (the runtime keeps the last ones)` : 'not a trace id';
      if (html)
        send(response, 404, 'text/html; charset=utf-8', htmlPage('No such trace', `<p>${escapeHtml(message)}</p>`));
      else send(response, 404, 'application/json', JSON.stringify({ message }));
      return true;
    }
    const waterfall = waterfallOf(trace);
    if (html) send(response, 200, 'text/html; charset=utf-8', waterfallHtml(waterfall));
    else send(response, 200, 'application/json', JSON.stringify({ ...waterfall, spans: trace.spans }, null, 2));
    return true;
  };
