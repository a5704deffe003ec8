import { SaxesParser } from "saxes";
import { BoundedText, truncate } from "./bounded-text.ts";
import { InputError, oneLine } from "./input-error.ts";
import { LIMITS } from "./limits.ts";
import {
  type CaseStatus,
  type Counts,
  detach,
  isGinkgoPseudoCase,
  specName,
  type TestCase,
  zeroCounts,
} from "./test-case.ts";

/** Facts about one junit file's structure, beside the cases it reports to the sink. */
export interface JunitFileFacts {
  file: string;
  rootElement: string;
  suites: number;
  /** Suites holding no testcase at any depth: not tests (Sonobuoy counts each as one passed test). */
  emptySuites: number;
  /** Suites inside suites, and the cases in them, which Sonobuoy does not see. */
  nestedSuites: number;
  casesSonobuoyMisses: number;
  /** Counts as Sonobuoy's junit post-processor would report them for this file. */
  sonobuoyView: { passed: number; failed: number; skipped: number };
  /** Cases with both a failure/error and a skipped mark (Sonobuoy: skipped; here: failed/error). */
  skippedAndFailed: number;
  suiteProperties: Record<string, string>;
}

interface OpenCase {
  tc: TestCase;
  hasFailure: boolean;
  hasError: boolean;
  hasSkipped: boolean;
  sonobuoyLevel: boolean;
  message?: BoundedText;
  skipMessage?: string;
  systemOut?: BoundedText;
  systemErr?: BoundedText;
}

/**
 * Bytes decoded and handed to saxes at a time. 32 KiB of UTF-8 decode to at most 32 Ki UTF-16 units
 * (64 KiB), below V8's large-object threshold (128 KiB), so each string stays in the young generation; the
 * string of a whole 256 KiB chunk went to large-object space, which only a full GC frees: on the large
 * benchmark junit the heap grew by ~30 MiB and the extra GC cost ~0.1 s.
 */
const PIECE = 32 * 1024;

/**
 * Streams a junit XML file, reporting every testcase to `onCase` as soon as it closes. Nested suites,
 * `<error>` apart from `<failure>`, ginkgo pseudo-cases; DTDs are refused (no entity expansion), and
 * tags and text nodes are bounded (LIMITS).
 */
export async function readJunit(
  body: AsyncIterable<Buffer>,
  file: string,
  onCase: (c: TestCase) => void,
): Promise<JunitFileFacts> {
  const facts: JunitFileFacts = {
    file,
    rootElement: "",
    suites: 0,
    emptySuites: 0,
    nestedSuites: 0,
    casesSonobuoyMisses: 0,
    sonobuoyView: { passed: 0, failed: 0, skipped: 0 },
    skippedAndFailed: 0,
    suiteProperties: {},
  };
  const parser = new SaxesParser({ position: true });
  const stack: string[] = [];
  // Per open testsuite: name, cases seen at any depth, direct cases, whether Sonobuoy sees it as a suite.
  const suites: { name: string; cases: number; direct: number; sonobuoyLevel: boolean }[] = [];
  let cur: OpenCase | undefined;
  let capture: BoundedText | undefined;
  let lastMark = 0;
  let tagStart = -1;
  let suitePropertyCount = 0;

  parser.on("doctype", () => {
    throw new InputError(`${file}: XML declares a DTD (<!DOCTYPE>); refused, entities are never expanded`);
  });
  parser.on("opentagstart", () => {
    tagStart = parser.position;
  });
  parser.on("opentag", (tag) => {
    tagStart = -1;
    lastMark = parser.position;
    const name = tag.name;
    const attrs = tag.attributes as Record<string, string>;
    if (stack.length === 0) facts.rootElement = name;
    stack.push(name);
    if (stack.length > LIMITS.maxDepth)
      throw new InputError(`${file}: XML nested deeper than ${LIMITS.maxDepth}`);
    switch (name) {
      case "testsuite": {
        facts.suites++;
        if (suites.length > 0) facts.nestedSuites++;
        const sonobuoyLevel =
          stack.length === 1 || (stack.length === 2 && facts.rootElement === "testsuites");
        suites.push({ name: attrs.name ?? "", cases: 0, direct: 0, sonobuoyLevel });
        return;
      }
      case "testcase": {
        if (cur) throw new InputError(`${file}: <testcase> inside <testcase>`);
        const parentSuite = suites.at(-1);
        const directChild = stack.at(-2) === "testsuite";
        for (const s of suites) s.cases++;
        if (parentSuite && directChild) parentSuite.direct++;
        const junitName = truncate(attrs.name ?? "", 16 * 1024);
        const name = specName(junitName);
        const time = Number.parseFloat(attrs.time ?? "");
        cur = {
          tc: {
            name,
            junitName,
            suite: parentSuite?.name ?? "",
            file,
            time: Number.isFinite(time) && time > 0 ? time : 0,
            status: "passed",
            properties: {},
            pseudo: isGinkgoPseudoCase(name),
          },
          hasFailure: false,
          hasError: false,
          hasSkipped: false,
          sonobuoyLevel: Boolean(parentSuite?.sonobuoyLevel && directChild),
        };
        if (attrs.classname) cur.tc.classname = truncate(attrs.classname, 1024);
        return;
      }
      case "failure":
      case "error":
      case "skipped": {
        if (!cur || stack.at(-2) !== "testcase") return;
        const firstBad = !cur.hasFailure && !cur.hasError;
        if (name === "failure") cur.hasFailure = true;
        else if (name === "error") cur.hasError = true;
        else cur.hasSkipped = true;
        if (name === "skipped") {
          if (firstBad) cur.skipMessage = attrs.message;
          return;
        }
        if (!firstBad) return; // the first failure or error carries the message
        cur.message = new BoundedText(LIMITS.keptMessageChars);
        if (attrs.message) cur.message.append(`${attrs.message}\n`);
        if (attrs.type) cur.tc.type = truncate(attrs.type, 256);
        capture = cur.message;
        return;
      }
      case "system-out":
      case "system-err": {
        if (!cur || stack.at(-2) !== "testcase") return;
        const t = new BoundedText(LIMITS.keptSystemOutChars);
        if (name === "system-out") cur.systemOut = t;
        else cur.systemErr = t;
        capture = t;
        return;
      }
      case "property": {
        const pname = attrs.name;
        if (pname === undefined) return;
        const value = truncate(attrs.value ?? "", LIMITS.keptPropertyValueChars);
        if (cur) {
          if (Object.keys(cur.tc.properties).length < LIMITS.keptProperties) cur.tc.properties[pname] = value;
        } else if (suites.length > 0 && suitePropertyCount < LIMITS.keptProperties) {
          suitePropertyCount++;
          // Several suites: a failed or dry-run suite is not overwritten by a later one.
          const sticky = { SuiteSucceeded: "false", DryRun: "true" }[pname];
          if (sticky === undefined || facts.suiteProperties[pname]?.toLowerCase() !== sticky)
            facts.suiteProperties[detach(pname)] = detach(value);
        }
        return;
      }
    }
  });
  const onText = (t: string) => {
    lastMark = parser.position;
    capture?.append(t);
  };
  parser.on("text", onText);
  parser.on("cdata", onText);
  parser.on("comment", () => {
    lastMark = parser.position;
  });
  parser.on("closetag", (tag) => {
    lastMark = parser.position;
    const name = tag.name;
    stack.pop();
    switch (name) {
      case "testsuite": {
        const s = suites.pop();
        if (!s) return;
        if (s.cases === 0) facts.emptySuites++;
        if (s.sonobuoyLevel && s.direct === 0) facts.sonobuoyView.passed++; // Sonobuoy issue 1714
        return;
      }
      case "testcase": {
        if (!cur) return;
        const c = cur;
        cur = undefined;
        capture = undefined;
        const status: CaseStatus = c.hasFailure
          ? "failed"
          : c.hasError
            ? "error"
            : c.hasSkipped
              ? "skipped"
              : "passed";
        c.tc.status = status;
        if (c.hasSkipped && (c.hasFailure || c.hasError)) facts.skippedAndFailed++;
        if (c.message) c.tc.message = c.message.toString().trim();
        else if (c.skipMessage) c.tc.message = truncate(c.skipMessage, LIMITS.keptMessageChars);
        if (c.systemOut) c.tc.systemOut = c.systemOut.toString();
        if (c.systemErr) c.tc.systemErr = c.systemErr.toString();
        if (c.sonobuoyLevel) {
          if (c.hasSkipped) facts.sonobuoyView.skipped++;
          else if (c.hasFailure || c.hasError) facts.sonobuoyView.failed++;
          else facts.sonobuoyView.passed++;
        } else facts.casesSonobuoyMisses++;
        onCase(c.tc);
        return;
      }
      case "failure":
      case "error":
      case "system-out":
      case "system-err":
        capture = undefined;
        return;
    }
  });

  const decoder = new TextDecoder("utf-8");
  const feed = (text: string) => {
    parser.write(text);
    const pos = parser.position;
    if (tagStart >= 0 && pos - tagStart > LIMITS.maxTagChars)
      throw new InputError(
        `${file}: an XML tag is larger than ${LIMITS.maxTagChars} characters (gigantic attribute?)`,
      );
    if (pos - lastMark > LIMITS.maxTextNodeChars)
      throw new InputError(`${file}: an XML text node is larger than ${LIMITS.maxTextNodeChars} characters`);
  };
  try {
    for await (const chunk of body)
      for (let i = 0; i < chunk.length; i += PIECE)
        feed(decoder.decode(chunk.subarray(i, i + PIECE), { stream: true }));
    feed(decoder.decode());
    parser.close();
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`${file}: malformed XML: ${oneLine(e)}`);
  }
  if (facts.rootElement !== "testsuites" && facts.rootElement !== "testsuite")
    throw new InputError(`${file}: not a junit file (root element <${facts.rootElement}>)`);
  return facts;
}

export function sonobuoyCountsOf(views: JunitFileFacts["sonobuoyView"][]): Counts {
  const c = zeroCounts();
  for (const v of views) {
    c.passed += v.passed;
    c.failed += v.failed;
    c.skipped += v.skipped;
  }
  return c;
}
