// Flood protection. Every limit is counted per calling origin, and only after the origin has been checked
// against the allow-list: a site that is refused never spends anyone's capacity, and one allowed site's flood
// never makes the signer busy for another. A refused request gets a "busy" answer; everyone else is served.

/** The origin key of callers that sent neither Origin nor Referer (a typed URL, a no-referrer fetch). */
export const NO_ORIGIN = 'null';

/** A token bucket: `perSecond` tokens a second, bursts of at most `perSecond`. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = perSecond;
    this.last = now();
  }

  /** Takes one token; false when over the rate. */
  take(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.perSecond, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export interface OriginLimits {
  /** Requests per second for each origin. */
  perSecond: number;
  /** Card operations in progress over all origins. */
  maxConcurrent: number;
  /** Card operations in progress for one origin; default half of `maxConcurrent` (at least 1). */
  maxConcurrentPerOrigin?: number;
  /** Origins tracked at once; the least recently seen is forgotten beyond it (bounded memory). Default 64. */
  maxOrigins?: number;
  now?: () => number;
}

interface OriginState {
  bucket: TokenBucket;
  inFlight: number;
}

export class OriginLimiter {
  private readonly states = new Map<string, OriginState>();
  private inFlight = 0;
  private readonly perOriginConcurrent: number;
  private readonly maxOrigins: number;
  private readonly now: () => number;

  constructor(private readonly limits: OriginLimits) {
    this.perOriginConcurrent = limits.maxConcurrentPerOrigin ?? Math.max(1, Math.ceil(limits.maxConcurrent / 2));
    this.maxOrigins = limits.maxOrigins ?? 64;
    this.now = limits.now ?? Date.now;
  }

  /** How many origins have state now (never more than `maxOrigins`). */
  get trackedOrigins(): number {
    return this.states.size;
  }

  /** Takes one of this origin's request tokens; false when the origin is over its rate. Call after the origin check. */
  allowRequest(origin: string): boolean {
    return this.state(origin).bucket.take();
  }

  /** Starts a card operation for an origin; returns its release function, or null when too many are in progress. */
  begin(origin: string): (() => void) | null {
    const state = this.state(origin);
    if (this.inFlight >= this.limits.maxConcurrent || state.inFlight >= this.perOriginConcurrent) return null;
    this.inFlight++;
    state.inFlight++;
    let released = false;
    return () => {
      if (!released) {
        released = true;
        this.inFlight--;
        state.inFlight--;
      }
    };
  }

  /** The origin's state, most recently used last in the map's order, so the first entry is the one to forget. */
  private state(origin: string): OriginState {
    let state = this.states.get(origin);
    if (state) {
      this.states.delete(origin);
    } else {
      if (this.states.size >= this.maxOrigins) this.forgetOne();
      state = { bucket: new TokenBucket(this.limits.perSecond, this.now), inFlight: 0 };
    }
    this.states.set(origin, state);
    return state;
  }

  /** Forgets the least recently seen origin with nothing in progress (else the least recently seen one). */
  private forgetOne(): void {
    for (const [origin, state] of this.states) {
      if (state.inFlight === 0) {
        this.states.delete(origin);
        return;
      }
    }
    const oldest = this.states.keys().next();
    if (!oldest.done) this.states.delete(oldest.value);
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
