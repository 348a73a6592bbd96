import { resolve } from 'node:path';
import { Parser } from '@asyncapi/parser';
import { Ajv } from 'ajv';
import { loadYamlFile } from 'sam-local-runtime';
import type { JsonObject } from './openapi.ts';

/** The AsyncAPI 3 document of the WebSocket API: api/asyncapi.yaml, written by hand beside the code it describes. */
export const ASYNCAPI_SOURCE = 'api/asyncapi.yaml';

export interface AsyncApiOptions {
  /** Replaces documented servers by name (the local docs page points `local` at the running stage). */
  servers?: JsonObject;
}

export const asyncApiDocument = (options: AsyncApiOptions = {}): JsonObject => {
  const document = loadYamlFile(resolve(ASYNCAPI_SOURCE));
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new Error(`${ASYNCAPI_SOURCE} is not an AsyncAPI document`);
  }
  if (!options.servers) return document;
  const servers = typeof document.servers === 'object' && !Array.isArray(document.servers) ? document.servers : {};
  return { ...document, servers: { ...servers, ...options.servers } };
};

export interface Diagnostic {
  severity: 'error' | 'warning' | 'info' | 'hint';
  message: string;
  path: string;
}

const SEVERITIES = ['error', 'warning', 'info', 'hint'] as const;

/** Validates with the AsyncAPI project's own parser (the spec's JSON Schema plus its Spectral rules). */
export const validateAsyncApi = async (document: JsonObject): Promise<Diagnostic[]> => {
  const diagnostics = await new Parser().validate(JSON.stringify(document));
  return diagnostics.map((diagnostic) => ({
    severity: SEVERITIES[diagnostic.severity] ?? 'error',
    message: diagnostic.message,
    path: diagnostic.path.join('.'),
  }));
};

/**
 * JSON Schema validation of a message against one of the document's schemas (`Subscribe`, `OrderStatusPush`...),
 * with the draft 7 validator AsyncAPI's default schema format calls for. Returns the errors, none when it conforms.
 */
export const messageValidator = (document: JsonObject = asyncApiDocument()) => {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const components = document.components as JsonObject;
  ajv.addSchema({ components: { schemas: components.schemas ?? {} } }, 'asyncapi');
  return (schema: string, value: unknown): string[] => {
    const validate = ajv.getSchema(`asyncapi#/components/schemas/${schema}`);
    if (!validate) throw new Error(`${ASYNCAPI_SOURCE}: no schema ${schema}`);
    if (validate(value)) return [];
    return (validate.errors ?? []).map(
      (error) => `${error.instancePath || '(root)'} ${error.message ?? error.keyword}`,
    );
  };
};

/** The schema of each message the server sends, by its `type`. */
export const serverMessageSchemas: Readonly<Record<string, string>> = {
  subscribed: 'Subscribed',
  published: 'Published',
  error: 'ErrorReply',
  'order-event': 'OrderEventPush',
  'order-status': 'OrderStatusPush',
};
