/** A problem with the input the user gave (not a bug): reported as one line on stderr, exit code 2. */
export class InputError extends Error {
  override name = "InputError";

  constructor(message: string) {
    super(message.replace(/\s+/g, " ").trim());
  }
}

/** One line, no stack: what the CLI prints for any failure to read the input. */
export function oneLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.replace(/\s+/g, " ").trim().slice(0, 500);
}
