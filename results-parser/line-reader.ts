import { StringDecoder } from "node:string_decoder";
import { InputError } from "./input-error.ts";
import { LIMITS } from "./limits.ts";

/** Bytes decoded at a time: each decoded string stays in V8's young generation (see junit-reader.ts). */
const PIECE = 32 * 1024;

/**
 * Calls `onLine` for every line of a byte stream (UTF-8), synchronously per chunk (an async generator
 * would cost a promise per line), refusing lines longer than LIMITS.maxLineChars. A line that spans
 * pieces is joined once, when its end arrives, so a long line costs linear time.
 */
export async function forEachLine(
  body: AsyncIterable<Buffer>,
  file: string,
  onLine: (line: string) => void,
): Promise<void> {
  const decoder = new StringDecoder("utf8");
  /** The line begun in earlier pieces, without its end. */
  let rest = "";
  const tooLong = () => new InputError(`${file}: a line is longer than ${LIMITS.maxLineChars} characters`);
  const line = (s: string) => {
    const t = s.charCodeAt(s.length - 1) === 13 ? s.slice(0, -1) : s;
    if (t.length > LIMITS.maxLineChars) throw tooLong();
    onLine(t);
  };
  const emit = (text: string) => {
    let nl = text.indexOf("\n");
    if (nl >= 0) {
      line(rest ? rest + text.slice(0, nl) : text.slice(0, nl));
      rest = "";
      for (let start = nl + 1; ; start = nl + 1) {
        nl = text.indexOf("\n", start);
        if (nl < 0) {
          text = text.slice(start);
          break;
        }
        line(text.slice(start, nl));
      }
    }
    rest += text;
    if (rest.length > LIMITS.maxLineChars) throw tooLong();
  };
  for await (const chunk of body)
    for (let i = 0; i < chunk.length; i += PIECE) emit(decoder.write(chunk.subarray(i, i + PIECE)));
  emit(decoder.end());
  if (rest) onLine(rest);
}
