/**
 * The command line as a person would write it in a shell (`codex app-server`), for incidents and
 * log lines: arguments with spaces or shell metacharacters are single-quoted, an empty one is ''.
 */
const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

export function quoteShellWord(word: string): string {
  if (word === '') return "''";
  if (SAFE_WORD.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export function formatCommandLine(command: string, args: readonly string[] = []): string {
  return [command, ...args].map(quoteShellWord).join(' ');
}
