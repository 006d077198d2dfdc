// Bridges push callbacks (bus messages) to a pull-based async generator (a tRPC subscription):
// bounded, so a slow viewer costs a counter rather than memory, and woken by abort.

export class EventQueue<T> {
  private items: T[] = [];
  private overflowed = 0;
  /** Set by poke(): the consumer has state of its own to read (a skip counter). */
  private poked = false;
  private wake: (() => void) | undefined;
  private ended = false;

  constructor(
    private readonly capacity: number,
    signal?: AbortSignal,
  ) {
    if (signal?.aborted) this.ended = true;
    else signal?.addEventListener('abort', () => this.end(), { once: true });
  }

  push(item: T): void {
    if (this.ended) return;
    if (this.items.length >= this.capacity) this.overflowed++;
    else this.items.push(item);
    this.wakeUp();
  }

  /** Wakes the consumer without an item. */
  poke(): void {
    this.poked = true;
    this.wakeUp();
  }

  end(): void {
    this.ended = true;
    this.wakeUp();
  }

  /** Waits until something is queued or the queue ends (null), then hands over all of it. */
  async takeAll(): Promise<{ items: T[]; overflowed: number } | null> {
    while (!this.ended && this.items.length === 0 && this.overflowed === 0 && !this.poked) {
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    if (this.ended) return null;
    const out = { items: this.items, overflowed: this.overflowed };
    this.items = [];
    this.overflowed = 0;
    this.poked = false;
    return out;
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
