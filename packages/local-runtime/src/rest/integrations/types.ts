import type { Exchange } from '../../gateway/exchange.ts';
import type { IntegrationResult } from '../../gateway/integrations/result.ts';
import type { Operation } from '../model.ts';

/** A REST integration: what answers one operation's requests. */
export type Integrate = (exchange: Exchange, operation: Operation) => Promise<IntegrationResult>;
