import Ajv, { type ErrorObject } from 'ajv-draft-04';
import { loadYamlFile, type TemplateObject } from 'sam-local-runtime';

/**
 * The response models of api/openapi.yaml as validators: the handlers' bodies must be what the document (and so
 * the generated SDK) promises. Draft 4, as API Gateway reads models.
 */
const doc = loadYamlFile('api/openapi.yaml') as TemplateObject;
const ajv = new Ajv.default({ allErrors: true, strict: false });
ajv.addSchema({ id: 'openapi', components: doc.components }, 'openapi');

export const matchesModel = (model: string, body: unknown): string[] => {
  const validate = ajv.getSchema(`openapi#/components/schemas/${model}`);
  if (validate === undefined) throw new Error(`api/openapi.yaml has no model ${model}`);
  return validate(body)
    ? []
    : (validate.errors ?? []).map((e: ErrorObject) => `${e.instancePath || '(root)'} ${e.message}`);
};
