import { corsOf, type HttpCors } from '../http-api/model.ts';
import { functionProperties } from '../runtime/functions.ts';
import { isObject, type TemplateValue } from '../template/load.ts';
import type { LocalStack } from '../template/stack.ts';

/** One function URL of the template: SAM's FunctionUrlConfig of a function, or an AWS::Lambda::Url resource. */
export interface FunctionUrl {
  /** `<Function>Url` (what SAM names the resource it makes), or the AWS::Lambda::Url's own logical id. */
  logicalId: string;
  /** The URL id: the first label of `<url-id>.lambda-url.<region>.on.aws`. */
  id: string;
  /** `https://<url-id>.lambda-url.<region>.on.aws/`, what `!GetAtt <Url>.FunctionUrl` gives on AWS. */
  awsUrl: string;
  /** The function's ARN, as the local runtime finds it. */
  functionArn: string;
  authType: 'NONE' | 'AWS_IAM';
  cors?: HttpCors;
  invokeMode: 'BUFFERED' | 'RESPONSE_STREAM';
}

const authTypeOf = (value: TemplateValue | undefined): FunctionUrl['authType'] | string =>
  value === 'NONE' || value === 'AWS_IAM' ? value : String(value ?? '(none)');

/**
 * The template's function URLs, and what is not run of them (one line each). An AuthType other than NONE or
 * AWS_IAM is refused (fail closed): the URL is not served and named.
 */
export const functionUrlsOf = (stack: LocalStack): { urls: FunctionUrl[]; problems: string[] } => {
  const urls: FunctionUrl[] = [];
  const problems: string[] = [];
  const add = (logicalId: string, config: Record<string, TemplateValue>, functionArn: string) => {
    const authType = authTypeOf(config.AuthType);
    if (authType !== 'NONE' && authType !== 'AWS_IAM') {
      problems.push(`function URL ${logicalId}: AuthType ${authType} is neither NONE nor AWS_IAM: not served`);
      return;
    }
    const awsUrl = stack.getAtt(logicalId, 'FunctionUrl');
    const id = /^https:\/\/([^.]+)\./.exec(awsUrl)?.[1] ?? logicalId.toLowerCase();
    const invokeMode = config.InvokeMode === 'RESPONSE_STREAM' ? 'RESPONSE_STREAM' : 'BUFFERED';
    if (invokeMode === 'RESPONSE_STREAM') {
      problems.push(
        `function URL ${logicalId}: InvokeMode RESPONSE_STREAM: streaming handlers (awslambda.streamifyResponse) are not run; the URL answers as a BUFFERED one`,
      );
    }
    const cors = corsOf(config.Cors, 'Pascal');
    urls.push({ logicalId, id, awsUrl, functionArn, authType, invokeMode, ...(cors ? { cors } : {}) });
  };
  for (const resource of stack.ofType('AWS::Serverless::Function')) {
    const config = functionProperties(stack, resource.logicalId).FunctionUrlConfig;
    if (isObject(config)) add(`${resource.logicalId}Url`, config, stack.getAtt(resource.logicalId, 'Arn'));
  }
  for (const resource of stack.ofType('AWS::Lambda::Url')) {
    const properties = stack.properties(resource.logicalId);
    if (properties.Qualifier !== undefined) {
      problems.push(
        `function URL ${resource.logicalId}: Qualifier ${String(properties.Qualifier)}: the function's latest code answers`,
      );
    }
    add(resource.logicalId, properties, String(properties.TargetFunctionArn ?? ''));
  }
  return { urls, problems };
};
