import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cutMarker } from '../../src/logs/line-cut.js';
import { parseLevelName, parseLogLine, parseLogLineWithFields } from '../../src/logs/parse-line.js';

const at = (text: string) => parseLogLine({ source: 's.log', text });

describe('parseLogLine', () => {
  it('reads pino records: numeric level to name, epoch ms to ISO, msg, other fields kept aside', () => {
    const text = '{"level":50,"time":1795222547421,"pid":1,"hostname":"h","seq":3,"msg":"boom"}';
    expect(at(text)).toEqual({ time: '2026-11-21T00:55:47.421Z', level: 'error', msg: 'boom', source: 's.log', line: text });
    expect(parseLogLineWithFields({ source: 's', text }).fields).toEqual({ pid: 1, hostname: 'h', seq: 3 });
    expect(at('{"level":10}').level).toBe('trace');
    expect(at('{"level":35,"msg":"custom"}').level).toBe('info');
    expect(at('{"level":60}').level).toBe('fatal');
    expect(at('{"level":"warn","time":"2026-01-02T03:04:05.000Z"}')).toMatchObject({ level: 'warn', time: '2026-01-02T03:04:05.000Z', msg: '' });
  });

  it('reads a pino time written as epoch seconds, as a numeric string, as ISO, or missing', () => {
    const times: Array<[string, string | null]> = [
      ['1795222547421', '2026-11-21T00:55:47.421Z'],
      ['"1795222547421"', '2026-11-21T00:55:47.421Z'],
      ['1795222547', '2026-11-21T00:55:47.000Z'], // pino.stdTimeFunctions.unixTime
      ['"1795222547"', '2026-11-21T00:55:47.000Z'],
      ['"2026-11-21T00:55:47.421Z"', '2026-11-21T00:55:47.421Z'], // stdTimeFunctions.isoTime
      ['"yesterday"', null],
      ['""', null],
      ['null', null],
      ['true', null],
    ];
    for (const [time, iso] of times) {
      expect(at(`{"level":30,"time":${time},"msg":"m"}`)).toMatchObject({ time: iso, level: 'info', msg: 'm' });
    }
    expect(at('{"level":30,"msg":"no time"}')).toMatchObject({ time: null, level: 'info', msg: 'no time' });
    expect(at('{"level":"40","msg":"m"}').level).toBe('warn');
  });

  it('still reads level, time and msg from the head of a pino record cut at the line limit', () => {
    const head = `{"level":50,"time":1795222547421,"pid":1,"msg":"huge \\"payload\\"","data":"${'x'.repeat(100)}`;
    const cut = `${head}${cutMarker(10_000_000)}`;
    expect(at(cut)).toEqual({ time: '2026-11-21T00:55:47.421Z', level: 'error', msg: 'huge "payload"', source: 's.log', line: cut });
    // msg past the cut: the raw text stands in for it.
    const noMsg = `{"level":40,"time":"2026-11-21T00:55:47.421Z","data":"${'y'.repeat(50)}${cutMarker(5)}`;
    expect(at(noMsg)).toMatchObject({ level: 'warn', time: '2026-11-21T00:55:47.421Z', msg: noMsg });
    // Without the cut marker a broken record stays raw.
    expect(at('{"level":50,"time":1,"msg":"x"')).toMatchObject({ level: 'unknown', time: null });
  });

  it('reads Codex desktop text lines, warning becoming warn', () => {
    const line = at('2026-11-20T09:30:15.123Z warning renderer slow: 8000ms');
    expect(line).toMatchObject({ time: '2026-11-20T09:30:15.123Z', level: 'warn', msg: 'renderer slow: 8000ms' });
    for (const level of ['trace', 'debug', 'info', 'error'] as const) {
      expect(at(`2026-11-20T09:30:15+02:00 ${level} x`)).toMatchObject({ level, time: '2026-11-20T07:30:15.000Z', msg: 'x' });
    }
  });

  it('keeps anything else raw with level unknown and no time', () => {
    for (const text of ['plain words', '{"not closed', '[1,2]', '{"level":"loud"}', 'null', '']) {
      const parsed = at(text);
      expect(parsed.line).toBe(text);
      expect(parsed.source).toBe('s.log');
      if (!text.startsWith('{"level"')) expect(parsed).toMatchObject({ level: 'unknown', time: null, msg: text });
    }
    expect(at('{"level":"loud"}').level).toBe('unknown');
  });

  it('never throws, whatever the line', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.jsonValue().map((v) => JSON.stringify(v))), (text) => {
        const parsed = at(text);
        expect(parsed.line).toBe(text);
        expect(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'unknown']).toContain(parsed.level);
      }),
      { numRuns: 500 },
    );
    expect(at('{"time":1e300,"level":1e300,"msg":{"a":1}}')).toMatchObject({ time: null, level: 'fatal', msg: '{"a":1}' });
  });

  it('parses CLI level names', () => {
    expect(parseLevelName('WARNING')).toBe('warn');
    expect(parseLevelName('error')).toBe('error');
    expect(parseLevelName('loud')).toBeNull();
  });
});
