// Flood protection: a token bucket for requests per second and a cap on signatures in progress.
// A refused request gets a "busy" answer; the signer keeps serving everyone else.

export class RequestLimiter {
  private tokens: number;
  private last: number;
  private inFlight = 0;

  constructor(
    private readonly perSecond: number,
    private readonly maxConcurrent: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = perSecond;
    this.last = now();
  }

  /** Takes one request's token; false when over the per-second rate. */
  allowRequest(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.perSecond, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Starts a card operation; returns its release function, or null when too many are in progress. */
  begin(): (() => void) | null {
    if (this.inFlight >= this.maxConcurrent) return null;
    this.inFlight++;
    let released = false;
    return () => {
      if (!released) {
        released = true;
        this.inFlight--;
      }
    };
  }
}

/** One operation at a time per card, so the PIN counter and the card session are never raced. */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let done!: () => void;
    const current = new Promise<void>((resolve) => (done = resolve));
    const tail = previous.then(() => current);
    this.tails.set(key, tail);
    await previous;
    try {
      return await task();
    } finally {
      done();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
