/**
 * API Gateway throttles with a token bucket: the bucket holds `burst` tokens, refills at `rate` per second, and a
 * request that finds it empty gets 429 (developer guide, "Throttle requests to your REST APIs").
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  readonly rate: number;
  readonly burst: number;

  constructor(rate: number, burst: number, now = performance.now()) {
    this.rate = rate;
    // A burst of 0 with a positive rate would refuse everything; API Gateway treats the burst as at least 1.
    this.burst = Math.max(1, burst);
    this.tokens = this.burst;
    this.last = now;
  }

  take(now = performance.now()): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
