import { Readable, Writable } from "node:stream";
import { Exec, type V1Status } from "@kubernetes/client-node";
import { ApiCallError } from "./api-errors.ts";
import type { CheckContext, Timeout } from "./check.ts";
import { withTimeout } from "./timeouts.ts";

export interface ExecRequest {
  namespace: string;
  pod: string;
  /** Default: the pod's only (or default) container. */
  container?: string;
  command: string[];
  timeout: Timeout;
  stdin?: string;
  /** Output kept per stream (default 1 MiB); the rest is counted and dropped. */
  maxOutputBytes?: number;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** True when a stream exceeded maxOutputBytes and was cut. */
  truncated: boolean;
}

export const DEFAULT_EXEC_OUTPUT_BYTES = 1024 * 1024;

/**
 * Runs a command in a container (client-node's Exec over WebSocket) and returns its exit status and
 * output. The exit status comes from the status channel: Success is 0, a NonZeroExitCode status carries
 * the code. A command that could not start (no such container, not running, forbidden) rejects; a
 * command that ran and exited non-zero resolves. Bounded by the named timeout and the check's signal.
 */
export async function execInPod(ctx: CheckContext, req: ExecRequest): Promise<ExecResult> {
  const limit = req.maxOutputBytes ?? DEFAULT_EXEC_OUTPUT_BYTES;
  const stdout = new BoundedSink(limit);
  const stderr = new BoundedSink(limit);
  const where = `${req.namespace}/${req.pod}${req.container ? `/${req.container}` : ""}`;
  const operation = `exec in ${where}`;
  return withTimeout(
    req.timeout,
    ctx.signal,
    `running ${JSON.stringify(req.command)} in ${where}`,
    (signal) => {
      return new Promise<ExecResult>((resolve, reject) => {
        let status: V1Status | undefined;
        let socket: { close(): void; once(e: "close", l: () => void): void } | undefined;
        const onAbort = () => socket?.close();
        signal.addEventListener("abort", onAbort, { once: true });
        const finish = () => {
          signal.removeEventListener("abort", onAbort);
          if (!status)
            return reject(
              new ApiCallError(operation, new Error("the connection closed without an exit status")),
            );
          const exitCode = exitCodeOf(status);
          if (exitCode === undefined) {
            return reject(
              new ApiCallError(
                operation,
                Object.assign(new Error(status.message ?? "exec failed"), {
                  code: status.code,
                  body: status,
                }),
              ),
            );
          }
          resolve({
            exitCode,
            stdout: stdout.text(),
            stderr: stderr.text(),
            truncated: stdout.cut || stderr.cut,
          });
        };
        new Exec(ctx.kubeConfig)
          .exec(
            req.namespace,
            req.pod,
            req.container ?? "",
            req.command,
            stdout,
            stderr,
            req.stdin !== undefined ? Readable.from([Buffer.from(req.stdin)]) : null,
            false,
            (s) => {
              status = s;
            },
          )
          .then(
            (ws) => {
              socket = ws;
              if (signal.aborted) ws.close();
              ws.once("close", finish);
            },
            (err: unknown) => {
              signal.removeEventListener("abort", onAbort);
              reject(new ApiCallError(operation, err));
            },
          );
      });
    },
  );
}

/**
 * The exit code a status stands for: 0 for Success, the ExitCode cause of a NonZeroExitCode failure;
 * undefined when the command did not run (the status is an API error then).
 */
export function exitCodeOf(status: V1Status): number | undefined {
  if (status.status === "Success") return 0;
  if (status.reason !== "NonZeroExitCode") return undefined;
  const cause = status.details?.causes?.find((c) => c.reason === "ExitCode");
  const code = Number(cause?.message);
  return Number.isInteger(code) ? code : undefined;
}

/** Keeps the first `limit` bytes written; remembers that more came. */
class BoundedSink extends Writable {
  readonly #chunks: Buffer[] = [];
  #size = 0;
  readonly limit: number;
  cut = false;
  constructor(limit: number) {
    super();
    this.limit = limit;
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    const room = this.limit - this.#size;
    if (chunk.length > room) this.cut = true;
    if (room > 0) {
      const kept = chunk.subarray(0, room);
      this.#chunks.push(kept);
      this.#size += kept.length;
    }
    done();
  }
  text(): string {
    return Buffer.concat(this.#chunks).toString("utf8");
  }
}
