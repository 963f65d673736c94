/** One queued message, with how many best-effort messages were dropped just before it. */
export interface QueuedMessage {
  channel: string;
  payload: unknown;
  lossless: boolean;
  /** Dropped messages the consumer must be told about (a lag marker) before this one. */
  skippedBefore: number;
}

export type OfferResult = 'queued' | 'dropped';

/**
 * A bounded FIFO for one renderer. When full, best-effort messages are dropped and counted;
 * lossless ones are always accepted, so the queue exceeds its capacity only for them (the
 * equivalent of the app-server's blocking `send().await`: they wait instead of being lost).
 * The drop count rides on the next accepted message so the lag marker lands exactly where
 * the gap is in the stream.
 */
export class DeliveryQueue {
  private items: QueuedMessage[] = [];
  private head = 0;
  private pendingSkip = 0;
  /** Best-effort messages dropped over this queue's life. */
  dropped = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`delivery queue capacity must be a positive integer, got ${capacity}`);
    }
  }

  get size(): number {
    return this.items.length - this.head;
  }

  offer(channel: string, payload: unknown, lossless: boolean): OfferResult {
    if (!lossless && this.size >= this.capacity) {
      this.pendingSkip++;
      this.dropped++;
      return 'dropped';
    }
    this.items.push({ channel, payload, lossless, skippedBefore: this.pendingSkip });
    this.pendingSkip = 0;
    return 'queued';
  }

  take(): QueuedMessage | undefined {
    if (this.head >= this.items.length) return undefined;
    const message = this.items[this.head];
    this.items[this.head] = undefined as unknown as QueuedMessage;
    this.head++;
    // Compact now and then so a long-lived queue does not keep a growing dead prefix.
    if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return message;
  }

  /** Discards everything queued; returns how many messages were discarded. */
  clear(): number {
    const discarded = this.size;
    this.items = [];
    this.head = 0;
    this.pendingSkip = 0;
    return discarded;
  }
}
