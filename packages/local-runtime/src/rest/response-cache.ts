import type { Exchange } from '../gateway/exchange.ts';
import { headerOf } from '../gateway/exchange.ts';
import type { IntegrationResult } from '../gateway/integrations/result.ts';
import { TtlCache } from '../gateway/ttl-cache.ts';
import { ownValue } from '../shared/client-keyed.ts';
import type { MethodSetting, Operation, RestApi } from './model.ts';
import { methodSettingFor, settingPath } from './usage/stage-throttle.ts';

/**
 * The stage's response cache (developer guide, "Cache settings for REST APIs in API Gateway"): on only when the
 * stage has a cache cluster and the method's setting enables caching; entries live for the method's TTL (300 s
 * by default, at most 3600); the key is the method, the resource path and the values of the integration's
 * `cacheKeyParameters`; responses over 1 MiB are not cached. A client invalidates an entry with
 * `Cache-Control: max-age=0`, which needs authorisation unless the method setting says otherwise.
 */
const MAX_TTL_SECONDS = 3600;
const MAX_ENTRY_BYTES = 1_048_576;

export type CacheControlDecision = 'use' | 'invalidate' | 'refuse' | 'ignore-with-warning';

export class ResponseCache {
  private readonly api: RestApi;
  private readonly entries = new TtlCache<IntegrationResult>(5_000);
  private readonly settings = new Map<Operation, MethodSetting>();

  constructor(api: RestApi) {
    this.api = api;
  }

  settingFor(operation: Operation, method: string): MethodSetting {
    let setting = this.settings.get(operation);
    if (!setting) {
      setting = methodSettingFor(this.api.methodSettings, operation.resourcePath, method);
      this.settings.set(operation, setting);
    }
    return setting;
  }

  /**
   * A setting for this resource and method decides; a setting for every method (`*`) caches only GET, since
   * "when you enable caching for a stage, only GET methods have caching enabled by default" and other methods
   * need a method override (developer guide, "Cache settings for REST APIs in API Gateway").
   */
  enabledFor(operation: Operation, method: string): boolean {
    if (!this.api.cacheClusterEnabled) return false;
    const path = operation.resourcePath;
    const settings = this.api.methodSettings;
    const exact = settings.find((s) => settingPath(s.resourcePath) === path && s.httpMethod === method);
    if (exact?.cachingEnabled !== undefined) return exact.cachingEnabled;
    const anyMethod =
      settings.find((s) => settingPath(s.resourcePath) === path && s.httpMethod === '*') ??
      settings.find((s) => s.resourcePath === '/*' && s.httpMethod === '*');
    return anyMethod?.cachingEnabled === true && method === 'GET';
  }

  keyOf(exchange: Exchange, operation: Operation): string {
    const { request } = exchange;
    const parts = operation.integration.cacheKeyParameters.map((parameter) => {
      const match = /^method\.request\.(path|querystring|header)\.(.+)$/.exec(parameter);
      if (!match?.[2]) return `${parameter}=`;
      const name = match[2];
      const value =
        match[1] === 'path'
          ? ownValue(exchange.match?.pathParameters ?? {}, name)
          : match[1] === 'querystring'
            ? ownValue(request.query, name)
            : headerOf(request, name);
      return `${parameter}=${value ?? ''}`;
    });
    return [operation.integration.cacheNamespace ?? operation.resourcePath, request.method, ...parts].join('\u0000');
  }

  /**
   * `Cache-Control: max-age=0` asks to skip and refresh the entry. With authorisation required (the default) only
   * a caller allowed `execute-api:InvalidateCache` may (locally: a request signed with the local IAM credentials);
   * others get the method's UnauthorizedCacheControlHeaderStrategy. CloudFormation's MethodSetting cannot set it,
   * so a SAM stage has API Gateway's default: ignore the header and add a warning to the response.
   */
  cacheControl(exchange: Exchange, operation: Operation, callerMayInvalidate: boolean): CacheControlDecision {
    const header = headerOf(exchange.request, 'cache-control');
    if (!header || !/(^|,)\s*max-age=0\s*(,|$)/i.test(header)) return 'use';
    const setting = this.settingFor(operation, exchange.request.method);
    if ((setting.requireAuthorizationForCacheControl ?? true) && !callerMayInvalidate) {
      const strategy = setting.unauthorizedCacheControlHeaderStrategy ?? 'SUCCEED_WITH_RESPONSE_HEADER';
      if (strategy === 'FAIL_WITH_403') return 'refuse';
      return strategy === 'SUCCEED_WITH_RESPONSE_HEADER' ? 'ignore-with-warning' : 'use';
    }
    return 'invalidate';
  }

  get(key: string): IntegrationResult | undefined {
    return this.entries.get(key);
  }

  clear(): void {
    this.entries.clear();
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  store(key: string, operation: Operation, method: string, result: IntegrationResult): void {
    if (result.body.length > MAX_ENTRY_BYTES) return;
    const ttl = Math.min(this.settingFor(operation, method).cacheTtlInSeconds ?? 300, MAX_TTL_SECONDS);
    this.entries.set(key, result, ttl * 1000);
  }
}
