import type { DiagnosticsOptions } from './options.js';
import type { Diagnostics } from './types.js';

/**
 * Creates the diagnostics service (contract: Embed API). Throws a DiagError
 * (BAD_USAGE) naming the option when options are invalid; after that, nothing it does throws
 * into the app. The service module loads here, on the call, so importing `codex-diag` stays cheap;
 * its own log (pino) and the state file (and with it the schema library) open after it returns.
 */
export async function createDiagnostics(options: DiagnosticsOptions = {}): Promise<Diagnostics> {
  const { DiagnosticsService } = await import('./service.js');
  return DiagnosticsService.open(options);
}
