import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The one Powertools Logger of every function. Service name and level come from the template's
 * `POWERTOOLS_SERVICE_NAME` / `POWERTOOLS_LOG_LEVEL` environment (Globals), so nothing is configured here.
 */
export const logger = new Logger();
