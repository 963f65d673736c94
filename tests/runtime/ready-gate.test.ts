import { describe, expect, it } from 'vitest';
import { ReadyGate } from '../../src/runtime/ready-gate.js';

function recordingGate(capacity = 8) {
  const delivered: Array<[number, string, unknown]> = [];
  const faults: unknown[] = [];
  const gate = new ReadyGate({
    capacity,
    deliver: (id, channel, payload) => void delivered.push([id, channel, payload]),
    onFault: (error) => faults.push(error),
  });
  return { gate, delivered, faults };
}

describe('ReadyGate', () => {
  it('holds messages until the renderer is ready, then flushes them in order', () => {
    const { gate, delivered } = recordingGate();
    gate.send(1, 'a:incident', 1);
    gate.send(1, 'b:incident', 2);
    expect(delivered).toEqual([]);
    expect(gate.isReady(1)).toBe(false);
    gate.markReady(1);
    gate.send(1, 'c:incident', 3);
    expect(delivered).toEqual([
      [1, 'a:incident', 1],
      [1, 'b:incident', 2],
      [1, 'c:incident', 3],
    ]);
  });

  it('gates each renderer on its own', () => {
    const { gate, delivered } = recordingGate();
    gate.send(1, 'x:incident', 'for-1');
    gate.send(2, 'x:incident', 'for-2');
    gate.markReady(2);
    expect(delivered).toEqual([[2, 'x:incident', 'for-2']]);
  });

  it('holds messages again after the renderer is gone, until it says it is ready again', () => {
    const { gate, delivered } = recordingGate();
    gate.markReady(1);
    gate.markNotReady(1);
    gate.send(1, 'after-crash:incident', 1);
    expect(delivered).toEqual([]);
    gate.markReady(1);
    expect(delivered).toEqual([[1, 'after-crash:incident', 1]]);
  });

  it('discards and counts what waits for a destroyed renderer', () => {
    const { gate, delivered } = recordingGate();
    gate.send(1, 'a:incident', 1);
    gate.send(1, 'b:incident', 2);
    expect(gate.forget(1)).toBe(2);
    gate.markReady(1);
    expect(delivered).toEqual([]);
    expect(gate.stats().discarded).toBe(2);
  });

  it('does not queue for a destroyed renderer: even lossless messages sent to it later are discarded and counted', () => {
    const { gate } = recordingGate(1);
    gate.forget(3);
    for (let i = 0; i < 1_000; i++) expect(gate.send(3, 'x:incident', i, { lossless: true })).toBe('dropped');
    expect(gate.stats()).toMatchObject({ queued: 0, discarded: 1_000 });
  });

  it('counts an edge that throws and goes on with the next message', () => {
    const faults: unknown[] = [];
    const delivered: string[] = [];
    const gate = new ReadyGate({
      deliver: (_id, channel) => {
        if (channel === 'bad:incident') throw new Error('Object has been destroyed');
        delivered.push(channel);
      },
      onFault: (error) => faults.push(error),
    });
    gate.send(1, 'bad:incident', null);
    gate.send(1, 'good:incident', null);
    expect(() => gate.markReady(1)).not.toThrow();
    expect(delivered).toEqual(['good:incident']);
    expect(gate.send(1, 'bad:incident', null)).toBe('failed');
    expect(gate.send(1, 'good:incident', null)).toBe('delivered');
    expect(faults).toHaveLength(2);
    expect(gate.stats().faults).toBe(2);
  });
});
