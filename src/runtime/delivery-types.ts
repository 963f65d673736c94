/**
 * The edge that hands a message to a renderer (Electron: `webContents.send`). It may return a
 * promise when the transport can report that the consumer took the message; the next message
 * for that renderer then waits for it (backpressure).
 */
export type DeliverFn = (webContentsId: number, channel: string, payload: unknown) => void | Promise<void>;

/**
 * What `send` did with a message: handed to the edge, queued (not ready, or behind others),
 * dropped (best-effort, queue full), or failed (the edge threw: counted as a fault).
 */
export type SendResult = 'delivered' | 'queued' | 'dropped' | 'failed';

export interface DeliveryStats {
  delivered: number;
  /** Best-effort messages dropped because a queue was full. */
  dropped: number;
  /** Messages discarded because their renderer was destroyed (queued ones, and any sent to it afterwards). */
  discarded: number;
  /** Lag markers delivered. */
  lagMarkers: number;
  /** Deliveries whose edge threw or rejected. */
  faults: number;
  /** Messages waiting now, over all renderers. */
  queued: number;
}
