import { describe, expect, it } from 'vitest';
import { DeliveryQueue } from '../../src/runtime/delivery-queue.js';
import { DiagChannel, isLosslessMessage, LAGGED_CHANNEL } from '../../src/runtime/delivery-classify.js';
import { ReadyGate } from '../../src/runtime/ready-gate.js';

describe('isLosslessMessage', () => {
  it('marks incidents, bundle and upload results lossless, progress and log lines best-effort', () => {
    expect(isLosslessMessage(DiagChannel.incident)).toBe(true);
    expect(isLosslessMessage(DiagChannel.bundle)).toBe(true);
    expect(isLosslessMessage(DiagChannel.upload)).toBe(true);
    expect(isLosslessMessage('app:upload-result')).toBe(true);
    expect(isLosslessMessage(DiagChannel.progress)).toBe(false);
    expect(isLosslessMessage(DiagChannel.log)).toBe(false);
    expect(isLosslessMessage('codex-diag:upload-progress')).toBe(false);
    expect(isLosslessMessage('app:log-line')).toBe(false);
    expect(isLosslessMessage('app:something-else')).toBe(false);
  });

  it('lets the explicit option win either way', () => {
    expect(isLosslessMessage(DiagChannel.progress, { lossless: true })).toBe(true);
    expect(isLosslessMessage(DiagChannel.incident, { lossless: false })).toBe(false);
  });
});

describe('DeliveryQueue', () => {
  it('drops best-effort messages when full, never lossless ones, and carries the drop count to the next accepted message', () => {
    const queue = new DeliveryQueue(1);
    expect(queue.offer('a', 1, false)).toBe('queued');
    expect(queue.offer('b', 2, false)).toBe('dropped');
    expect(queue.offer('c', 3, false)).toBe('dropped');
    expect(queue.offer('d', 4, true)).toBe('queued');
    expect(queue.offer('e', 5, true)).toBe('queued');
    expect(queue.size).toBe(3);
    expect(queue.dropped).toBe(2);
    expect([queue.take(), queue.take(), queue.take(), queue.take()]).toEqual([
      { channel: 'a', payload: 1, lossless: false, skippedBefore: 0 },
      { channel: 'd', payload: 4, lossless: true, skippedBefore: 2 },
      { channel: 'e', payload: 5, lossless: true, skippedBefore: 0 },
      undefined,
    ]);
  });

  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new DeliveryQueue(0)).toThrow(/positive integer/);
  });
});

// Mirrors forward_in_process_event_preserves_transcript_notifications_under_backpressure:
// a capacity-1 queue filled, a best-effort message dropped and counted, then lossless
// messages all delivered in order behind the lag marker.
describe('backpressure (as in the app-server change)', () => {
  it('keeps lossless messages under backpressure and tells the consumer what was skipped', () => {
    const delivered: Array<[string, unknown]> = [];
    const gate = new ReadyGate({ capacity: 1, deliver: (_id, channel, payload) => void delivered.push([channel, payload]) });

    expect(gate.send(7, DiagChannel.progress, { pct: 10 })).toBe('queued');
    expect(gate.send(7, DiagChannel.progress, { pct: 20 })).toBe('dropped');
    expect(gate.stats().dropped).toBe(1);
    expect(gate.send(7, DiagChannel.incident, { n: 1 })).toBe('queued');
    expect(gate.send(7, DiagChannel.bundle, { n: 2 })).toBe('queued');
    expect(gate.send(7, DiagChannel.upload, { n: 3 })).toBe('queued');

    expect(gate.markReady(7)).toBe(4);
    expect(delivered).toEqual([
      [DiagChannel.progress, { pct: 10 }],
      [LAGGED_CHANNEL, { skipped: 1 }],
      [DiagChannel.incident, { n: 1 }],
      [DiagChannel.bundle, { n: 2 }],
      [DiagChannel.upload, { n: 3 }],
    ]);
    expect(gate.stats()).toMatchObject({ delivered: 4, dropped: 1, lagMarkers: 1, queued: 0 });
  });

  it('applies backpressure from an asynchronous edge: one message in flight, best-effort dropped behind it', async () => {
    const delivered: string[] = [];
    const releases: Array<() => void> = [];
    const gate = new ReadyGate({
      capacity: 1,
      deliver: (_id, channel) =>
        new Promise<void>((resolve) => {
          delivered.push(channel);
          releases.push(resolve);
        }),
    });
    gate.markReady(1);
    expect(gate.send(1, 'first:incident', null)).toBe('delivered');
    expect(gate.send(1, 'p:progress', null)).toBe('queued');
    expect(gate.send(1, 'q:progress', null)).toBe('dropped');
    expect(gate.send(1, 'last:incident', null)).toBe('queued');
    expect(delivered).toEqual(['first:incident']);
    for (let i = 0; i < 4; i++) {
      releases.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
    expect(delivered).toEqual(['first:incident', 'p:progress', LAGGED_CHANNEL, 'last:incident']);
  });
});
