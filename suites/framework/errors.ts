/**
 * What a check throws to end with a verdict. Returning a CheckOutcome is equivalent; throwing is handy
 * deep inside helpers. Anything else that escapes a check becomes an abort (api-errors.ts), never a fail.
 */
export class CheckFailed extends Error {
  override readonly name = "CheckFailed";
  readonly details: string[];
  constructor(reason: string, details: string[] = []) {
    super(reason);
    this.details = details;
  }
}

export class CheckAborted extends Error {
  override readonly name = "CheckAborted";
  readonly details: string[];
  constructor(reason: string, details: string[] = [], options?: ErrorOptions) {
    super(reason, options);
    this.details = details;
  }
}

export class CheckSkipped extends Error {
  override readonly name = "CheckSkipped";
  readonly details: string[];
  constructor(reason: string, details: string[] = []) {
    super(reason);
    this.details = details;
  }
}

/** A named timeout expired; the runner turns it into an abort that names the timeout. */
export class TimeoutExpired extends Error {
  override readonly name = "TimeoutExpired";
  readonly timeoutName: string;
  readonly ms: number;
  constructor(timeoutName: string, ms: number, what?: string) {
    super(`timeout "${timeoutName}" (${formatMs(ms)}) expired${what ? ` while ${what}` : ""}`);
    this.timeoutName = timeoutName;
    this.ms = ms;
  }
}

/** The run was cancelled (SIGTERM, Ctrl-C, API outage policy); the reason names what happened. */
export class RunInterrupted extends Error {
  override readonly name = "RunInterrupted";
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = ms / 1000;
  if (s < 600) return `${Number.isInteger(s) ? s : s.toFixed(1)}s`;
  return `${Math.round(s / 60)}m`;
}
