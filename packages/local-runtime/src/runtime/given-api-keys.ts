import type { ApiKeyModel, UsagePlanModel } from '../rest/usage/usage-plans.ts';
import { stableId } from '../template/physical-ids.ts';

/**
 * API keys made out of band (`aws apigateway create-api-key` and `create-usage-plan-key`, as READMEs of templates
 * with `ApiKeyRequired` and usage plans but no `AWS::ApiGateway::ApiKey` say): `--api-key VALUE[@UsagePlan]` adds an
 * enabled key with that value, bound to the usage plan of that logical id, or to every plan of the template.
 */
export interface GivenApiKey {
  value: string;
  usagePlan?: string;
}

/** `VALUE` or `VALUE@UsagePlanLogicalId`; API Gateway's keys are 20 to 128 characters. */
export const parseApiKey = (text: string): GivenApiKey => {
  const at = text.lastIndexOf('@');
  const value = at === -1 ? text : text.slice(0, at);
  const usagePlan = at === -1 ? undefined : text.slice(at + 1);
  if (value.length < 20 || value.length > 128) {
    throw new Error(`an API key is 20 to 128 characters (API Gateway's limits), got ${value.length}: "${text}"`);
  }
  if (usagePlan === '') throw new Error(`no usage plan after @ in "${text}"`);
  return { value, ...(usagePlan ? { usagePlan } : {}) };
};

/** The keys, and the plans with the keys bound; a plan named by no `--api-key` stays as it was. */
export const withGivenKeys = (
  given: GivenApiKey[],
  stackName: string,
  keys: ApiKeyModel[],
  plans: UsagePlanModel[],
): { keys: ApiKeyModel[]; plans: UsagePlanModel[]; problems: string[] } => {
  const problems: string[] = [];
  const added = given.map((key, index): ApiKeyModel & { usagePlan?: string } => ({
    logicalId: `--api-key ${index + 1}`,
    id: stableId(`${stackName}/--api-key/${key.value}`, 10),
    name: `--api-key ${index + 1}`,
    value: key.value,
    enabled: true,
    ...(key.usagePlan ? { usagePlan: key.usagePlan } : {}),
  }));
  for (const key of added) {
    if (key.usagePlan && !plans.some((plan) => plan.logicalId === key.usagePlan)) {
      problems.push(`${key.name}: no usage plan ${key.usagePlan} in the template; the key is bound to none`);
    }
  }
  const bound = plans.map((plan) => ({
    ...plan,
    keyIds: [
      ...plan.keyIds,
      ...added.filter((key) => (key.usagePlan ?? plan.logicalId) === plan.logicalId).map((key) => key.id),
    ],
  }));
  return { keys: [...keys, ...added.map(({ usagePlan: _plan, ...key }) => key)], plans: bound, problems };
};
