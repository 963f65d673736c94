import { readFileSync } from 'node:fs';

/** Read once from package.json next to dist/ or src/. */
export const packageVersion: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
