// Argument parsers shared by the commands (and the lab's CLI, which passes the same options on).
import { InvalidArgumentError } from "commander";

/** `--option KEY=VALUE`, repeatable: the pairs collected into one record (a later key wins). */
export function keyValue(value: string, previous: Record<string, string>): Record<string, string> {
  const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)=(.*)$/.exec(value);
  if (!m) throw new InvalidArgumentError("expected KEY=VALUE");
  return { ...previous, [m[1] as string]: m[2] as string };
}
