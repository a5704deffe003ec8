import { StringDecoder } from "node:string_decoder";
import { InputError } from "./input-error.ts";
import { LIMITS } from "./limits.ts";

/**
 * Calls `onLine` for every line of a byte stream (UTF-8), synchronously per chunk (an async generator
 * would cost a promise per line), refusing lines longer than LIMITS.maxLineChars.
 */
export async function forEachLine(
  body: AsyncIterable<Buffer>,
  file: string,
  onLine: (line: string) => void,
): Promise<void> {
  const decoder = new StringDecoder("utf8");
  let rest = "";
  const tooLong = () => new InputError(`${file}: a line is longer than ${LIMITS.maxLineChars} characters`);
  const emit = (text: string, final: boolean) => {
    let start = 0;
    for (;;) {
      const nl = text.indexOf("\n", start);
      if (nl < 0) break;
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      if (end - start > LIMITS.maxLineChars) throw tooLong();
      onLine(text.slice(start, end));
      start = nl + 1;
    }
    rest = text.slice(start);
    if (rest.length > LIMITS.maxLineChars) throw tooLong();
    if (final && rest) onLine(rest);
  };
  for await (const chunk of body) emit(rest + decoder.write(chunk), false);
  emit(rest + decoder.end(), true);
}
