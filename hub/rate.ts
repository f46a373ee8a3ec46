// A token bucket: `rate` per second, up to `burst` at once.
export class TokenBucket {
  private tokens: number;
  private last: number;
  /** Frames refused in a row; a client that keeps sending after being told is closed. */
  refusedInARow = 0;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    now: number = Date.now(),
  ) {
    this.tokens = burst;
    this.last = now;
  }

  take(now: number = Date.now()): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      this.refusedInARow = 0;
      return true;
    }
    this.refusedInARow++;
    return false;
  }
}
