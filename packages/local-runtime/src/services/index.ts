import { dynamoDbService } from './dynamodb/service.ts';
import { eventBridgeService } from './eventbridge/service.ts';
import { kinesisService } from './kinesis/service.ts';
import { lambdaService } from './lambda/service.ts';
import type { ServiceDefinition } from './registry.ts';
import { s3Service } from './s3/service.ts';
import { secretsManagerService } from './secretsmanager/service.ts';
import { snsService } from './sns/service.ts';
import { sqsService } from './sqs/service.ts';
import { ssmService } from './ssm/service.ts';
import { stepFunctionsService } from './stepfunctions/service.ts';

/**
 * The AWS services the runtime runs, in start order (a service may use those before it) and in `--service-ports`
 * order (the first gets the given port, the next one more, ...): append new services, so existing ports stay.
 */
export const SERVICES: readonly ServiceDefinition[] = [
  ssmService,
  sqsService,
  dynamoDbService,
  stepFunctionsService,
  lambdaService,
  secretsManagerService,
  snsService,
  eventBridgeService,
  s3Service,
  kinesisService,
];
