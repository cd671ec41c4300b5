/**
 * Test-only analyses for the analysis pool (src/server/analysis-pool.ts), run in its worker threads
 * like site choice: one that keeps a CPU busy for a given time (as a long HiGHS solve does) and one
 * that allocates memory until it is stopped.
 */
export function spin(input: { ms: number }): { ms: number; loops: number } {
  const end = Date.now() + input.ms;
  let loops = 0;
  while (Date.now() < end) loops++;
  return { ms: input.ms, loops };
}

export function hog(): number {
  const keep: number[][] = [];
  for (;;) keep.push(new Array(1 << 20).fill(keep.length + 0.5));
}
