import { forEachLine } from "./line-reader.ts";
import { detach } from "./test-case.ts";

/** Ginkgo's closing tally in e2e.log, the authoritative count of an e2e run. */
export interface GinkgoTally {
  file: string;
  ran: number;
  total: number;
  passed: number;
  failed: number;
  pending: number;
  skipped: number;
  flaked?: number;
  /** Ginkgo's verdict on the suite: `FAIL!` on the tally line, or `Test Suite Failed`. */
  suiteFailed: boolean;
  /** The line that said so. */
  failureLine?: string;
}

const RAN = /Ran (\d+) of (\d+) Specs?\b/;
const COUNTS = /(\d+) Passed \| (\d+) Failed(?: \| (\d+) Flaked)? \| (\d+) Pending \| (\d+) Skipped/;

/** Reads an e2e.log line by line and returns its last tally, or undefined when the log has none. */
export async function readGinkgoTally(
  body: AsyncIterable<Buffer>,
  file: string,
): Promise<GinkgoTally | undefined> {
  let ran: RegExpExecArray | null = null;
  let tally: GinkgoTally | undefined;
  let failureLine: string | undefined;
  await forEachLine(body, file, (line) => {
    if (line.includes("FAIL!") || line.includes("Test Suite Failed"))
      failureLine ??= detach(line.trim().slice(0, 300));
    if (!line.includes("Ran ") && !line.includes(" Passed | ")) return;
    const r = RAN.exec(line);
    if (r) ran = r;
    const c = COUNTS.exec(line);
    if (c && ran) {
      tally = {
        file,
        ran: Number(ran[1]),
        total: Number(ran[2]),
        passed: Number(c[1]),
        failed: Number(c[2]),
        pending: Number(c[4]),
        skipped: Number(c[5]),
        suiteFailed: false,
      };
      if (c[3] !== undefined) tally.flaked = Number(c[3]);
    }
  });
  if (tally && failureLine !== undefined) {
    tally.suiteFailed = true;
    tally.failureLine = failureLine;
  }
  return tally;
}
