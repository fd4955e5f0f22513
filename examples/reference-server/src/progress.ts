/**
 * Where a {@link ProgressBar} writes: a stream that may be a terminal.
 *
 * @example
 * ```ts
 * import type { ProgressStream } from "./progress.js";
 * const stream: ProgressStream = process.stderr;
 * ```
 */
export interface ProgressStream {
  isTTY?: boolean | undefined;
  columns?: number | undefined;
  write(text: string): unknown;
}

/**
 * A one-line progress bar.
 *
 * @example
 * ```ts
 * import { createProgressBar, type ProgressBar } from "./progress.js";
 * const bar: ProgressBar = createProgressBar(process.stderr, "export", 10);
 * bar.update(5);
 * ```
 */
export interface ProgressBar {
  /** Report `done` of `total` units. */
  update(done: number): void;
  /** Finish the bar with a summary line. */
  finish(summary: string): void;
}

/**
 * A progress bar for long CLI runs, without dependencies. On a terminal it redraws one line
 * (`label [#####-----] 50% 500/1000`) at most every `minIntervalMs`; on anything else (a pipe, a log
 * file) it prints nothing until `finish`, which writes the summary as one line.
 *
 * @example
 * ```ts
 * import { createProgressBar } from "./progress.js";
 * const bar = createProgressBar(process.stderr, "retention", 1000);
 * bar.update(500);
 * bar.finish("1000 records, 12 deleted");
 * ```
 */
export function createProgressBar(stream: ProgressStream, label: string, total: number, options: { minIntervalMs?: number; now?: () => number } = {}): ProgressBar {
  const tty = stream.isTTY === true;
  const now = options.now ?? Date.now;
  let last = -Infinity;
  const draw = (done: number) => {
    const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - label.length - 30));
    const ratio = total > 0 ? Math.min(1, done / total) : 1;
    const filled = Math.round(ratio * width);
    stream.write(`\r${label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${Math.round(ratio * 100)}% ${done}/${total}`);
  };
  return {
    update(done) {
      if (!tty || now() - last < (options.minIntervalMs ?? 100)) return;
      last = now();
      draw(done);
    },
    finish(summary) {
      if (tty) {
        draw(total);
        stream.write("\n");
      }
      stream.write(`${label}: ${summary}\n`);
    },
  };
}
