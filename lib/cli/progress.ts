// A one-line progress bar on stderr: redrawn in place on a terminal (at most ~10 times a
// second), a single summary line when stderr is a file or a pipe.

import type { OutputStream } from './io';

const WIDTH = 28;
const REDRAW_MS = 100;

export class ProgressBar {
  #done = 0;
  #lastDraw = 0;
  #finished = false;
  readonly #started = performance.now();

  constructor(readonly stream: OutputStream, readonly label: string, readonly total: number, readonly unit = '') {}

  update(done: number): void {
    this.#done = Math.min(done, this.total);
    if (!this.stream.isTTY || this.#finished) return;
    const now = performance.now();
    if (now - this.#lastDraw < REDRAW_MS && this.#done < this.total) return;
    this.#lastDraw = now;
    this.stream.write(`\r${this.line()}`);
  }

  /** Ends the bar's line where it stands (after an error), so what follows starts on its own line. */
  stop(): void {
    if (this.#finished) return;
    this.#finished = true;
    if (this.stream.isTTY && this.#lastDraw > 0) this.stream.write('\n');
  }

  /** Runs `work`, finishing the bar after it and stopping it if it throws. */
  async around<T>(work: () => Promise<T>): Promise<T> {
    try {
      const result = await work();
      this.finish();
      return result;
    } catch (error) {
      this.stop();
      throw error;
    }
  }

  finish(): void {
    if (this.#finished) return;
    this.#done = this.total;
    this.#finished = true;
    this.stream.write(this.stream.isTTY ? `\r${this.line()}\n` : `${this.line()}\n`);
  }

  private line(): string {
    const fraction = this.total === 0 ? 1 : this.#done / this.total;
    const filled = Math.round(fraction * WIDTH);
    const seconds = (performance.now() - this.#started) / 1000;
    const unit = this.unit === '' ? '' : ` ${this.unit}`;
    return `${this.label.padEnd(12)} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${this.#done}/${this.total}${unit} ${seconds.toFixed(1)}s`;
  }
}
