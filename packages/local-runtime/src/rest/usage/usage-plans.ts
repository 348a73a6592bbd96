import { forbidden, quotaExceeded, throttled } from '../../gateway/gateway-error.ts';
import { TokenBucket } from './token-bucket.ts';

export interface ApiKeyModel {
  logicalId: string;
  id: string;
  name: string;
  value: string;
  enabled: boolean;
}

export interface UsagePlanModel {
  logicalId: string;
  id: string;
  name: string;
  /** `${apiId}/${stage}` this plan covers, with per-method throttles keyed `/resource/path/METHOD`. */
  stages: { apiId: string; stage: string; methodThrottle: Record<string, { rate: number; burst: number }> }[];
  throttle?: { rate: number; burst: number };
  quota?: { limit: number; period: 'DAY' | 'WEEK' | 'MONTH'; offset: number };
  keyIds: string[];
}

const periodStart = (period: 'DAY' | 'WEEK' | 'MONTH', now: number): number => {
  const date = new Date(now);
  const day = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  if (period === 'DAY') return day;
  // Usage plan weeks start on Monday... API Gateway documents the period, not the weekday; ISO weeks are assumed.
  if (period === 'WEEK') return day - ((date.getUTCDay() + 6) % 7) * 86_400_000;
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
};

export interface KeyUsage {
  key: ApiKeyModel;
  plan: UsagePlanModel;
  used: number;
  remaining?: number;
}

/**
 * API keys and usage plans: the key must exist, be enabled and belong to a plan of this API stage (else 403
 * Forbidden); the plan's per-key token bucket (and per-method bucket where the plan sets one) throttles it (429
 * Too Many Requests); its quota counts the requests of the period (429 Limit Exceeded once spent).
 */
export class UsagePlans {
  readonly keys: ApiKeyModel[];
  readonly plans: UsagePlanModel[];
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly quotas = new Map<string, { start: number; used: number }>();

  constructor(keys: ApiKeyModel[], plans: UsagePlanModel[]) {
    this.keys = keys;
    this.plans = plans;
  }

  /** Every key's throttle and quota as new (the runtime's reset). */
  reset(): void {
    this.buckets.clear();
    this.quotas.clear();
  }

  planOf(keyId: string, apiId: string, stage: string): UsagePlanModel | undefined {
    return this.plans.find(
      (plan) => plan.keyIds.includes(keyId) && plan.stages.some((s) => s.apiId === apiId && s.stage === stage),
    );
  }

  /** Admits one request with `value` on `methodKey` (`/v1/catalog/GET`), or throws the gateway's error. */
  admit(value: string | undefined, apiId: string, stage: string, methodKey: string, now = Date.now()): KeyUsage {
    if (!value) throw forbidden('no API key (x-api-key header) on a method that requires one');
    const key = this.keys.find((candidate) => candidate.value === value);
    if (!key) throw forbidden(`the API key ${value.slice(0, 6)}… is not one of the template's keys`);
    if (!key.enabled) throw forbidden(`the API key ${key.name} is disabled (Enabled: false)`);
    const plan = this.planOf(key.id, apiId, stage);
    if (!plan) throw forbidden(`the API key ${key.name} is in no usage plan of stage ${stage}`);
    const stageEntry = plan.stages.find((s) => s.apiId === apiId && s.stage === stage);
    const methodLimit = stageEntry?.methodThrottle[methodKey];
    if (methodLimit && !this.bucket(`${plan.id}/${key.id}/${methodKey}`, methodLimit).take()) {
      throw throttled(
        `usage plan ${plan.name}: ${key.name} over ${methodLimit.rate} req/s (burst ${methodLimit.burst}) on ${methodKey}`,
      );
    }
    if (plan.throttle && !this.bucket(`${plan.id}/${key.id}`, plan.throttle).take()) {
      throw throttled(
        `usage plan ${plan.name}: ${key.name} over ${plan.throttle.rate} req/s (burst ${plan.throttle.burst})`,
      );
    }
    if (!plan.quota) return { key, plan, used: 0 };
    const start = periodStart(plan.quota.period, now);
    const counter = this.quotas.get(`${plan.id}/${key.id}`);
    const current = counter && counter.start === start ? counter : { start, used: 0 };
    if (current.used >= plan.quota.limit) {
      throw quotaExceeded(
        `usage plan ${plan.name}: ${key.name} used its quota of ${plan.quota.limit} per ${plan.quota.period}`,
      );
    }
    current.used += 1;
    this.quotas.set(`${plan.id}/${key.id}`, current);
    return { key, plan, used: current.used, remaining: plan.quota.limit - current.used };
  }

  private bucket(id: string, limit: { rate: number; burst: number }): TokenBucket {
    let bucket = this.buckets.get(id);
    if (!bucket) {
      bucket = new TokenBucket(limit.rate, limit.burst);
      this.buckets.set(id, bucket);
    }
    return bucket;
  }
}
