import type { Session } from "./session.ts";

/**
 * Routes process-level trouble into the session, so that it always ends with results written:
 * SIGTERM (Sonobuoy deleting the pod at its timeout) and SIGINT (Ctrl-C) stop the run, an unhandled
 * rejection aborts the running check, an uncaught exception stops the run.
 * Returns a function that removes the handlers.
 */
export function guardProcess(session: Session): () => void {
  const onTerm = () => session.interrupt("SIGTERM");
  const onInt = () => session.interrupt("SIGINT");
  const onRejection = (err: unknown) => session.strayRejection(err);
  const onException = (err: unknown) => session.uncaughtException(err);
  process.on("SIGTERM", onTerm);
  process.on("SIGINT", onInt);
  process.on("unhandledRejection", onRejection);
  process.on("uncaughtException", onException);
  return () => {
    process.off("SIGTERM", onTerm);
    process.off("SIGINT", onInt);
    process.off("unhandledRejection", onRejection);
    process.off("uncaughtException", onException);
  };
}
