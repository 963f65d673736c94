import type { FaultReport } from './types.js';

/**
 * Counts faults and malformed inputs by area; what `diag.faults` reports. `total` counts both, so
 * one number says whether anything went wrong; `malformed` says how many of them were bad input.
 */
export class FaultCounter {
  private total = 0;
  private malformed = 0;
  private readonly byArea = new Map<string, number>();

  fault(area: string): void {
    this.total++;
    this.byArea.set(area, (this.byArea.get(area) ?? 0) + 1);
  }

  malformedInput(area: string): void {
    this.total++;
    this.malformed++;
    this.byArea.set(area, (this.byArea.get(area) ?? 0) + 1);
  }

  report(): FaultReport {
    return { total: this.total, malformed: this.malformed, byArea: Object.fromEntries(this.byArea) };
  }
}
