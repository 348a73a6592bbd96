// Handlers log through Powertools at INFO; tests assert behaviour, not log lines, so keep the output readable.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
// What the template's Globals give every function: the metrics namespace (EMF lines name it).
process.env.POWERTOOLS_METRICS_NAMESPACE ??= 'OrdersApi';
process.env.POWERTOOLS_SERVICE_NAME ??= 'orders-api';
// The dev stage's CORS origin (template.yaml StageConfig AllowedOrigin → ALLOWED_ORIGIN).
process.env.ALLOWED_ORIGIN ??= '*';
