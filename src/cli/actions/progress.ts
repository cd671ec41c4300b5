/** Progress bars for the actions of long commands (cli-progress is loaded only by those). */
import cliProgress from 'cli-progress';

/** A progress bar on stderr when a person is watching; silent in scripts, CI and JSON mode. */
export function progressBar(enabled: boolean) {
  const show = enabled && process.stderr.isTTY && !process.env.CI;
  let bar: cliProgress.SingleBar | null = null;
  let stage = '';
  return {
    update(p: { stage: string; done: number; total: number }) {
      if (process.env.CIVIC_PROGRESS_LOG) process.stderr.write(`progress ${p.stage} ${p.done}/${p.total}\n`);
      if (!show) return;
      if (p.stage !== stage) {
        bar?.stop();
        stage = p.stage;
        bar = new cliProgress.SingleBar(
          {
            format: `${p.stage.padEnd(9)} [{bar}] {percentage}% | {value}/{total}`,
            hideCursor: true,
            clearOnComplete: false,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(p.total, p.done);
      } else bar?.update(p.done);
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}
