import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fingerprintIncident } from '../../src/incidents/fingerprint.js';
import { parseIncident } from '../../src/incidents/parse.js';

const corpusPath = fileURLToPath(new URL('../fixtures/incidents/corpus.jsonl', import.meta.url));
const entries = readFileSync(corpusPath, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line, index) => {
    const value = JSON.parse(line) as { group: string };
    const parsed = parseIncident(value);
    if (!parsed.ok) throw new Error(`corpus line ${index + 1}: ${parsed.error}`);
    return { line: index + 1, group: value.group, result: fingerprintIncident(parsed.incident) };
  });

function fingerprintOf(group: string): string {
  const entry = entries.find((e) => e.group === group);
  if (!entry) throw new Error(`no corpus group ${group}`);
  return entry.result.fingerprint;
}

describe('labelled incident corpus', () => {
  it('is large enough to mean something: many groups, many variants per failure', () => {
    const groups = new Set(entries.map((e) => e.group));
    expect(entries.length).toBeGreaterThanOrEqual(100);
    expect(groups.size).toBeGreaterThanOrEqual(35);
    const multiVariant = [...groups].filter((g) => entries.filter((e) => e.group === g).length >= 3);
    expect(multiVariant.length).toBeGreaterThanOrEqual(15);
  });

  it('is partitioned exactly by its labels: same group <=> same fingerprint', () => {
    const groupToFingerprints = new Map<string, Set<string>>();
    const fingerprintToGroups = new Map<string, Set<string>>();
    for (const e of entries) {
      (groupToFingerprints.get(e.group) ?? groupToFingerprints.set(e.group, new Set()).get(e.group)!).add(e.result.fingerprint);
      (fingerprintToGroups.get(e.result.fingerprint) ?? fingerprintToGroups.set(e.result.fingerprint, new Set()).get(e.result.fingerprint)!).add(e.group);
    }
    const splitGroups = [...groupToFingerprints].filter(([, fps]) => fps.size > 1).map(([g]) => g);
    const mergedGroups = [...fingerprintToGroups.values()].filter((gs) => gs.size > 1).map((gs) => [...gs].join(' + '));
    expect(splitGroups).toEqual([]);
    expect(mergedGroups).toEqual([]);
  });

  it('gives every member of a group the same components and title', () => {
    for (const e of entries) {
      const first = entries.find((other) => other.group === e.group)!;
      expect(e.result.components, `line ${e.line}`).toEqual(first.result.components);
      expect(e.result.title, `line ${e.line}`).toBe(first.result.title);
    }
  });

  // Each grouping rule of the incident contract that splits, as a named pair of corpus groups.
  const mustSplit: Array<[rule: string, a: string, b: string]> = [
    ['kind', 'cpg-gpu-crashed-segv', 'rpg-crashed-no-url'],
    ['reason', 'rpg-oom-chat', 'rpg-killed-chat'],
    ['reason (crashed vs oom)', 'rpg-crashed-segv-chat', 'rpg-oom-chat'],
    ['did-fail-load error code', 'dfl-105-main-chatgpt-x', 'dfl-102-main-chatgpt-x'],
    ['main frame vs sub-frame', 'dfl-105-main-chatgpt-x', 'dfl-105-sub-chatgpt-x'],
    ['child process type', 'cpg-gpu-crashed-access-violation', 'cpg-utility-network-crashed-av'],
    ['child process service', 'cpg-utility-network-crashed-av', 'cpg-utility-audio-crashed-av'],
    ['exit code of a crash (signal)', 'rpg-crashed-segv-chat', 'rpg-crashed-abrt-chat'],
    ['exit code of a crash (Windows status)', 'rpg-crashed-access-violation-chat', 'rpg-crashed-stack-overflow-chat'],
    ['exit code of a crash (signal vs Windows)', 'rpg-crashed-segv-chat', 'rpg-crashed-access-violation-chat'],
    ['exit code of abnormal-exit', 'rpg-abnormal-1-settings', 'rpg-abnormal-2-settings'],
    ['exit code of launch-failed', 'rpg-launch-failed-1002', 'rpg-launch-failed-1003'],
    ['child exit code', 'cpg-gpu-crashed-access-violation', 'cpg-gpu-crashed-segv'],
    ['sidecar exit code', 'sidecar-app-server-101', 'sidecar-app-server-1'],
    ['sidecar signal', 'sidecar-app-server-sigkill', 'sidecar-app-server-sigsegv'],
    ['sidecar command', 'sidecar-app-server-101', 'sidecar-mcp-server-101'],
    ['static route', 'rpg-crashed-segv-chat', 'rpg-crashed-segv-settings'],
    ['static route (did-fail-load)', 'dfl-105-main-chatgpt-x', 'dfl-105-main-chatgpt-conversation'],
    ['host', 'rpg-crashed-segv-chat', 'rpg-crashed-segv-example-host'],
    ['host (did-fail-load)', 'dfl-105-main-chatgpt-x', 'dfl-105-main-openai-x'],
    ['top application frame', 'unresp-settings-renderList', 'unresp-settings-renderRow'],
    ['top application frame file', 'unresp-settings-renderList', 'unresp-settings-renderList-chat-chunk'],
    ['route of an unresponsive renderer', 'unresp-settings-renderList', 'unresp-chat-renderList'],
    ['a stack vs no application frame', 'unresp-settings-renderList', 'unresp-settings-no-app-frame'],
    ['url vs none', 'rpg-crashed-segv-chat', 'rpg-crashed-no-url'],
  ];
  it.each(mustSplit)('splits on %s', (_rule, a, b) => {
    expect(fingerprintOf(a)).not.toBe(fingerprintOf(b));
  });

  it('titles the contract examples the way the contract reads them', () => {
    const titleOf = (group: string) => entries.find((e) => e.group === group)!.result.title;
    expect(titleOf('rpg-crashed-segv-chat')).toBe('Renderer crashed (SIGSEGV) at /chat/:id');
    expect(titleOf('rpg-oom-chat')).toBe('Renderer crashed (oom) at /chat/:id');
    expect(titleOf('unresp-settings-renderList')).toBe('Renderer unresponsive at /settings in renderList');
    expect(titleOf('dfl-105-main-chatgpt-x')).toBe('Page failed to load (ERR_NAME_NOT_RESOLVED) chatgpt.com/backend-api/x');
    expect(titleOf('cpg-gpu-crashed-access-violation')).toBe('GPU process crashed (ACCESS_VIOLATION)');
    expect(titleOf('sidecar-app-server-101')).toBe("Sidecar 'codex app-server' exited with code 101");
  });
});
