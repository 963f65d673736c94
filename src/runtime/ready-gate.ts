import { DeliveryQueue } from './delivery-queue.js';
import type { QueuedMessage } from './delivery-queue.js';
import { isLosslessMessage, LAGGED_CHANNEL } from './delivery-classify.js';
import type { SendOptions } from './delivery-classify.js';
import type { DeliverFn, DeliveryStats, SendResult } from './delivery-types.js';

export interface ReadyGateOptions {
  deliver: DeliverFn;
  /** Per-renderer queue bound (lossless messages may exceed it). Default 256. */
  capacity?: number;
  /** Told about every delivery that threw or rejected; never rethrown. */
  onFault?: (error: unknown, webContentsId: number, channel: string) => void;
}

interface RendererLane {
  ready: boolean;
  busy: boolean;
  queue: DeliveryQueue;
}

/**
 * Ready-gated delivery, after the official app's `pendingMessages` / `markWebContentsReady` /
 * `flushPendingMessages`: messages to a renderer wait until it says it is ready, then flush in
 * order. Each renderer has its own bounded queue (see DeliveryQueue for what is dropped).
 */
export class ReadyGate {
  private readonly lanes = new Map<number, RendererLane>();
  /**
   * Renderers destroyed for good. Electron never reuses a webContents id, so a message for one of
   * them would wait forever (lossless ones without bound): it is discarded and counted instead.
   */
  private readonly destroyed = new Set<number>();
  private readonly deliver: DeliverFn;
  private readonly capacity: number;
  private readonly onFault: ReadyGateOptions['onFault'];
  private readonly counters = { delivered: 0, dropped: 0, discarded: 0, lagMarkers: 0, faults: 0 };

  constructor(options: ReadyGateOptions) {
    this.deliver = options.deliver;
    this.capacity = options.capacity ?? 256;
    this.onFault = options.onFault;
    // Validate once, up front, rather than on the first renderer.
    new DeliveryQueue(this.capacity);
  }

  send(webContentsId: number, channel: string, payload: unknown, options?: SendOptions): SendResult {
    if (this.destroyed.has(webContentsId)) {
      this.counters.discarded++;
      return 'dropped';
    }
    const lane = this.lane(webContentsId);
    const lossless = isLosslessMessage(channel, options);
    if (lane.ready && !lane.busy && lane.queue.size === 0) {
      const faultsBefore = this.counters.faults;
      this.dispatch(webContentsId, lane, { channel, payload, lossless, skippedBefore: 0 });
      // A synchronous edge that threw has been counted by now; an async one reports later.
      return this.counters.faults > faultsBefore ? 'failed' : 'delivered';
    }
    const result = lane.queue.offer(channel, payload, lossless);
    if (result === 'dropped') this.counters.dropped++;
    return result;
  }

  /** The renderer can take messages: flush what waited, in order. Returns how many were waiting. */
  markReady(webContentsId: number): number {
    this.destroyed.delete(webContentsId);
    const lane = this.lane(webContentsId);
    const waiting = lane.queue.size;
    lane.ready = true;
    this.pump(webContentsId, lane);
    return waiting;
  }

  /** The renderer went away but its window lives on (crash, reload): hold messages until it is ready again. */
  markNotReady(webContentsId: number): void {
    const lane = this.lanes.get(webContentsId);
    if (lane) lane.ready = false;
  }

  /** The renderer is destroyed for good: discard what waits for it, and what is sent to it later. Returns how many were discarded. */
  forget(webContentsId: number): number {
    this.destroyed.add(webContentsId);
    const lane = this.lanes.get(webContentsId);
    if (!lane) return 0;
    this.lanes.delete(webContentsId);
    const discarded = lane.queue.clear();
    this.counters.discarded += discarded;
    return discarded;
  }

  isReady(webContentsId: number): boolean {
    return this.lanes.get(webContentsId)?.ready ?? false;
  }

  stats(): DeliveryStats {
    let queued = 0;
    for (const lane of this.lanes.values()) queued += lane.queue.size;
    return { ...this.counters, queued };
  }

  private lane(webContentsId: number): RendererLane {
    let lane = this.lanes.get(webContentsId);
    if (!lane) {
      lane = { ready: false, busy: false, queue: new DeliveryQueue(this.capacity) };
      this.lanes.set(webContentsId, lane);
    }
    return lane;
  }

  private pump(webContentsId: number, lane: RendererLane): void {
    while (lane.ready && !lane.busy && this.lanes.get(webContentsId) === lane) {
      const message = lane.queue.take();
      if (!message) return;
      this.dispatch(webContentsId, lane, message);
    }
  }

  /** Delivers the lag marker (if any) then the message; an async edge makes the lane busy until it settles. */
  private dispatch(webContentsId: number, lane: RendererLane, message: QueuedMessage): void {
    const steps: Array<[string, unknown]> = [];
    if (message.skippedBefore > 0) steps.push([LAGGED_CHANNEL, { skipped: message.skippedBefore }]);
    steps.push([message.channel, message.payload]);
    this.runSteps(webContentsId, lane, steps, 0);
  }

  /** Returns true when every step was delivered synchronously; otherwise the lane resumes itself later. */
  private runSteps(webContentsId: number, lane: RendererLane, steps: Array<[string, unknown]>, index: number): boolean {
    for (let i = index; i < steps.length; i++) {
      const [channel, payload] = steps[i]!;
      const pending = this.deliverOne(webContentsId, channel, payload);
      if (pending) {
        lane.busy = true;
        void pending.then(() => {
          lane.busy = false;
          if (this.runSteps(webContentsId, lane, steps, i + 1)) this.pump(webContentsId, lane);
        });
        return false;
      }
    }
    return true;
  }

  /** Returns a promise only when the edge is asynchronous; it never rejects. */
  private deliverOne(webContentsId: number, channel: string, payload: unknown): Promise<void> | undefined {
    const settled = () => {
      this.counters.delivered += channel === LAGGED_CHANNEL ? 0 : 1;
      this.counters.lagMarkers += channel === LAGGED_CHANNEL ? 1 : 0;
    };
    try {
      const result = this.deliver(webContentsId, channel, payload);
      if (result && typeof (result as Promise<void>).then === 'function') {
        return (result as Promise<void>).then(settled, (error: unknown) => this.fault(error, webContentsId, channel));
      }
      settled();
    } catch (error) {
      this.fault(error, webContentsId, channel);
    }
    return undefined;
  }

  private fault(error: unknown, webContentsId: number, channel: string): void {
    this.counters.faults++;
    try {
      this.onFault?.(error, webContentsId, channel);
    } catch {
      // A faulty fault handler must not break delivery either.
    }
  }
}
