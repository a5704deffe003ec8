import { appendFileSync } from "node:fs";

/**
 * The human-readable log file. Appends synchronously so that every line written before a crash or a
 * SIGKILL is on disk.
 */
export class HumanLog {
  readonly path: string;
  readonly #echo: ((line: string) => void) | undefined;

  constructor(path: string, echo?: (line: string) => void) {
    this.path = path;
    this.#echo = echo;
  }

  line(text: string): void {
    const stamped = `${new Date().toISOString()} ${text}`;
    try {
      appendFileSync(this.path, `${stamped}\n`);
    } catch {
      // a log that cannot be written must not end the run; the junit is the result
    }
    this.#echo?.(stamped);
  }
}
