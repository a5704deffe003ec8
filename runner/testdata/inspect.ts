import { createReadStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { SaxesParser } from "saxes";
import { extract } from "tar-stream";

export interface ParsedCase {
  name: string;
  classname: string;
  outcome: "pass" | "failure" | "error" | "skipped";
  message?: string;
  type?: string;
  /** Text of <failure>/<error>. */
  body?: string;
  systemOut: string;
  properties: Record<string, string>;
}

export interface ParsedJunit {
  suites: number;
  suite: Record<string, string>;
  properties: Record<string, string>;
  cases: ParsedCase[];
}

interface El {
  name: string;
  attrs: Record<string, string>;
  children: El[];
  text: string;
}

/** A small DOM from saxes (which decodes entities and rejects malformed XML). */
function parseXml(xml: string): El {
  const parser = new SaxesParser();
  const root: El = { name: "#root", attrs: {}, children: [], text: "" };
  const stack: El[] = [root];
  parser.on("opentag", (tag) => {
    const el: El = {
      name: tag.name,
      attrs: tag.attributes as Record<string, string>,
      children: [],
      text: "",
    };
    stack.at(-1)?.children.push(el);
    stack.push(el);
  });
  parser.on("closetag", () => {
    stack.pop();
  });
  parser.on("text", (t) => {
    const top = stack.at(-1);
    if (top) top.text += t;
  });
  parser.on("cdata", (t) => {
    const top = stack.at(-1);
    if (top) top.text += t;
  });
  parser.write(xml).close();
  return root;
}

const kids = (el: El | undefined, name: string) => el?.children.filter((c) => c.name === name) ?? [];
const props = (el: El | undefined): Record<string, string> =>
  Object.fromEntries(
    kids(kids(el, "properties")[0], "property").map((p) => [p.attrs.name ?? "", p.attrs.value ?? ""]),
  );

/** Parses (and so validates as XML) a junit file the way a consumer would. */
export function parseJunit(xml: string): ParsedJunit {
  const root = parseXml(xml);
  const suites = kids(kids(root, "testsuites")[0], "testsuite");
  const suite = suites[0];
  const cases = kids(suite, "testcase").map((tc): ParsedCase => {
    const failure = kids(tc, "failure")[0];
    const error = kids(tc, "error")[0];
    const skipped = kids(tc, "skipped")[0];
    const marker = failure ?? error ?? skipped;
    return {
      name: tc.attrs.name ?? "",
      classname: tc.attrs.classname ?? "",
      outcome: failure ? "failure" : error ? "error" : skipped ? "skipped" : "pass",
      ...(marker?.attrs.message !== undefined ? { message: marker.attrs.message } : {}),
      ...(marker?.attrs.type !== undefined ? { type: marker.attrs.type } : {}),
      ...(marker && marker !== skipped ? { body: marker.text } : {}),
      systemOut: kids(tc, "system-out")[0]?.text ?? "",
      properties: props(tc),
    };
  });
  return { suites: suites.length, suite: suite?.attrs ?? {}, properties: props(suite), cases };
}

/** Every entry of a .tar.gz: name -> content. */
export async function readTarGz(path: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const ex = extract();
  ex.on("entry", (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on("data", (c: unknown) => {
      chunks.push(c as Buffer);
    });
    stream.on("end", () => {
      files.set(header.name, Buffer.concat(chunks).toString("utf8"));
      next();
    });
  });
  await pipeline(createReadStream(path), createGunzip(), ex);
  return files;
}
