import { throttled } from '../../gateway/gateway-error.ts';
import type { MethodSetting } from '../model.ts';
import { TokenBucket } from './token-bucket.ts';

/** `/~1v1~1catalog` (a method setting's path, `/` escaped as `~1`) → `/v1/catalog`. */
export const settingPath = (resourcePath: string): string =>
  // `/` alone is the root resource (CloudFormation, "MethodSetting": "To specify the root path, use only a slash").
  resourcePath === '/*' || resourcePath === '/' ? resourcePath : resourcePath.replace(/^\//, '').replace(/~1/g, '/');

/** The most specific method setting for a method: an exact path and method beat the stage-wide `/*` `*`. */
export const methodSettingFor = (settings: MethodSetting[], resourcePath: string, method: string): MethodSetting => {
  const exact = settings.find(
    (s) => settingPath(s.resourcePath) === resourcePath && (s.httpMethod === method || s.httpMethod === '*'),
  );
  const stageWide = settings.find((s) => s.resourcePath === '/*' && s.httpMethod === '*');
  return { resourcePath, httpMethod: method, ...stageWide, ...exact };
};

/**
 * Stage and method throttling from MethodSettings: one token bucket per method, shared by every caller (the
 * stage-wide setting applies to each method that has none of its own).
 */
export class StageThrottle {
  private readonly settings: MethodSetting[];
  private readonly buckets = new Map<string, TokenBucket | null>();

  constructor(settings: MethodSetting[]) {
    this.settings = settings;
  }

  admit(resourcePath: string, method: string): void {
    const id = `${method} ${resourcePath}`;
    let bucket = this.buckets.get(id);
    if (bucket === undefined) {
      const setting = methodSettingFor(this.settings, resourcePath, method);
      bucket =
        setting.throttlingRateLimit !== undefined && setting.throttlingRateLimit >= 0
          ? new TokenBucket(setting.throttlingRateLimit, setting.throttlingBurstLimit ?? setting.throttlingRateLimit)
          : null;
      this.buckets.set(id, bucket);
    }
    if (bucket && !bucket.take()) throw throttled(`stage method setting: ${id} over its throttling rate`);
  }
}
