/**
 * Peak resident memory of a phase (Linux): writing 5 to /proc/self/clear_refs resets the process's
 * high-water mark (VmHWM) to its present size, so VmHWM read afterwards is the phase's peak. The
 * pandas job measures itself the same way.
 */
import { readFileSync, writeFileSync } from 'node:fs';

export function resetPeak(): void {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    // Not Linux, or not allowed: the peak is then the process's since it started.
  }
}

/** VmHWM in MB. */
export function peakSince(): number {
  const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : process.resourceUsage().maxRSS / 1024;
}
