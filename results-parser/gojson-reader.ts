import { InputError, oneLine } from "./input-error.ts";
import { forEachLine } from "./line-reader.ts";
import type { CaseStatus, TestCase } from "./test-case.ts";

const STATUS: Record<string, CaseStatus> = { pass: "passed", fail: "failed", skip: "skipped" };

/**
 * Streams `go test -json` output: one event per line; each pass/fail/skip event naming a test is one
 * test, as Sonobuoy counts them. Output lines of a test are kept (bounded by the tally) for failures.
 */
export async function readGojson(
  body: AsyncIterable<Buffer>,
  file: string,
  onCase: (c: TestCase) => void,
): Promise<void> {
  let n = 0;
  const output = new Map<string, string>();
  await forEachLine(body, file, (line) => {
    n++;
    if (!line.trim()) return;
    let ev: { Action?: unknown; Test?: unknown; Elapsed?: unknown; Output?: unknown; Package?: unknown };
    try {
      ev = JSON.parse(line);
    } catch (e) {
      throw new InputError(`${file}:${n}: not go test -json output (${oneLine(e)})`);
    }
    if (typeof ev !== "object" || ev === null) throw new InputError(`${file}:${n}: not a JSON object`);
    const test = typeof ev.Test === "string" ? ev.Test : "";
    if (!test) return;
    if (ev.Action === "output" && typeof ev.Output === "string") {
      const prev = output.get(test) ?? "";
      if (prev.length < 4096) output.set(test, prev + ev.Output);
      return;
    }
    const status = typeof ev.Action === "string" ? STATUS[ev.Action] : undefined;
    if (!status) return;
    const tc: TestCase = {
      name: test,
      junitName: test,
      suite: typeof ev.Package === "string" ? ev.Package : "",
      file,
      time: typeof ev.Elapsed === "number" && ev.Elapsed > 0 ? ev.Elapsed : 0,
      status,
      properties: {},
      pseudo: false,
    };
    const out = output.get(test);
    if (out !== undefined) {
      if (status === "failed") tc.message = out;
      output.delete(test);
    }
    onCase(tc);
  });
}
