import { InputError } from "./input-error.ts";
import { LIMITS } from "./limits.ts";

/** Reads a small file whole (definition, version, node list); bigger ones are refused. */
export async function readSmall(
  body: AsyncIterable<Buffer>,
  file: string,
  limit: number = LIMITS.maxSmallFileBytes,
): Promise<string> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of body) {
    n += chunk.length;
    if (n > limit) throw new InputError(`${file} is larger than ${limit} bytes`);
    parts.push(chunk);
  }
  return Buffer.concat(parts).toString("utf8");
}

export function parseJsonOrThrow(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(`${file}: not valid JSON (${(e as Error).message})`);
  }
}
