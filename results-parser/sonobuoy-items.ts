import { parse as parseYaml } from "yaml";
import { InputError, oneLine } from "./input-error.ts";
import { forEachLine } from "./line-reader.ts";

/** A leaf of Sonobuoy's result tree (`sonobuoy_results.yaml`, or a `manual` plugin's results file). */
export interface SonobuoyLeaf {
  name: string;
  status: string;
  /** Names of the enclosing items below the root. */
  path: string[];
}

export interface SonobuoyTree {
  rootName: string;
  rootStatus: string;
  /** Leaf count per status, the way `sonobuoy results` counts them. */
  statusCounts: Record<string, number>;
}

interface Frame {
  keyCol: number;
  name: string;
  status: string;
  hasItems: boolean;
  /** Column of the dashes of this item's `items:` sequence, once seen. */
  seqDashCol: number;
}

class Unsure extends Error {}

const SMALL_ENOUGH_FOR_FALLBACK = 4 * 1024 * 1024;

/**
 * Reads Sonobuoy's item tree line by line, so memory stays flat for huge files. Sonobuoy writes it in
 * one regular block style (yaml.v2): items are `- name:` entries with `status:` and `items:` keys at
 * the same column, lists inside `meta`/`details` sit deeper. Anything else (flow style, anchors,
 * several documents) falls back to a full YAML parse when the file is small, and is refused otherwise.
 * Names are only decoded when `onLeaf` wants them.
 */
export async function readSonobuoyItems(
  body: AsyncIterable<Buffer>,
  file: string,
  onLeaf?: (leaf: SonobuoyLeaf) => void,
): Promise<SonobuoyTree> {
  const tree: SonobuoyTree = { rootName: "", rootStatus: "", statusCounts: {} };
  // The raw bytes, kept while small, for the full-parse fallback.
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let keeping = true;
  async function* keepWhileSmall(src: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of src) {
      if (keeping) {
        keptBytes += chunk.length;
        if (keptBytes > SMALL_ENOUGH_FOR_FALLBACK) {
          keeping = false;
          kept.length = 0;
        } else kept.push(chunk);
      }
      yield chunk;
    }
  }
  const root: Frame = { keyCol: 0, name: "", status: "", hasItems: false, seqDashCol: -1 };
  const stack: Frame[] = [root];
  let continuing: { frame: Frame; quote: string } | undefined;
  let unsure: string | undefined;
  let sawContent = false;

  const finish = (f: Frame) => {
    if (f.hasItems) return;
    const status = f.status || "unknown";
    tree.statusCounts[status] = (tree.statusCounts[status] ?? 0) + 1;
    if (onLeaf) onLeaf({ name: f.name, status, path: stack.slice(1).map((s) => s.name) });
  };

  const keyLine = (frame: Frame, text: string) => {
    const colon = text.indexOf(":");
    if (colon <= 0) return;
    const key = text.slice(0, colon);
    if (key !== "status" && key !== "items" && key !== "name") return;
    const value = text.slice(colon + 1).trim();
    const c0 = value.charCodeAt(0);
    if (c0 === 38 || c0 === 42 || c0 === 33) throw new Unsure("anchors, aliases or tags"); // & * !
    if (key === "status") frame.status = unquote(value);
    else if (key === "items") {
      if (value === "") frame.hasItems = true;
      else if (value !== "[]") throw new Unsure("flow-style items");
    } else if (onLeaf || frame === root) {
      frame.name = unquote(value);
      if ((c0 === 39 || c0 === 34) && !closesQuote(value)) continuing = { frame, quote: value[0] as string };
    }
  };

  const onLine = (line: string) => {
    if (unsure) return;
    let col = 0;
    while (line.charCodeAt(col) === 32) col++;
    if (col === line.length || line.charCodeAt(col) === 35) return; // blank or comment
    const trimmed = col ? line.slice(col) : line;
    if (continuing) {
      const { frame, quote } = continuing;
      frame.name += ` ${unquote(`${quote}${trimmed}`)}`;
      if (closesQuote(`${quote}${trimmed}`)) continuing = undefined;
      return;
    }
    if (col === 0) {
      if (trimmed === "---") {
        if (sawContent) throw new Unsure("several YAML documents");
        return;
      }
      const c = trimmed.charCodeAt(0);
      if (c === 123 || c === 91) throw new Unsure("flow style"); // { [
      sawContent = true;
    }
    // Items whose keys sit right of this line are complete.
    while (stack.length > 1 && (stack[stack.length - 1] as Frame).keyCol > col) finish(stack.pop() as Frame);
    const top = stack[stack.length - 1] as Frame;
    if (trimmed.charCodeAt(0) === 45 && (trimmed.length === 1 || trimmed.charCodeAt(1) === 32)) {
      // A new item only where the open item's `items:` sequence has its dashes; else a list in meta/details.
      const isItem =
        top.hasItems &&
        (top.seqDashCol === col || (top.seqDashCol < 0 && (col === top.keyCol || col === top.keyCol + 2)));
      if (!isItem) return;
      top.seqDashCol = col;
      let k = col + 1;
      while (line.charCodeAt(k) === 32) k++;
      const frame: Frame = { keyCol: k, name: "", status: "", hasItems: false, seqDashCol: -1 };
      stack.push(frame);
      keyLine(frame, line.slice(k));
      return;
    }
    if (top.keyCol === col) keyLine(top, trimmed);
  };

  try {
    await forEachLine(keepWhileSmall(body), file, (line) => {
      try {
        onLine(line);
      } catch (e) {
        if (!(e instanceof Unsure)) throw e;
        unsure = e.message;
      }
    });
    if (unsure === undefined) {
      while (stack.length > 1) finish(stack.pop() as Frame);
      if (!root.hasItems) finish(root);
      tree.rootName = root.name;
      tree.rootStatus = root.status;
      return tree;
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`${file}: ${oneLine(e)}`);
  }
  if (!keeping) throw new InputError(`${file}: results tree uses ${unsure} and is too large to parse whole`);
  return readWhole(Buffer.concat(kept).toString("utf8"), file, onLeaf);
}

function closesQuote(v: string): boolean {
  const q = v[0];
  if (v.length < 2 || v[v.length - 1] !== q) return false;
  if (q === "'") return (v.slice(1).match(/'+$/)?.[0].length ?? 0) % 2 === 1; // '' is an escaped quote
  let bs = 0;
  for (let i = v.length - 2; i > 0 && v[i] === "\\"; i--) bs++;
  return bs % 2 === 0;
}

function unquote(v: string): string {
  const c = v.charCodeAt(0);
  if (c === 39) return (closesQuote(v) ? v.slice(1, -1) : v.slice(1)).replace(/''/g, "'");
  if (c === 34) {
    try {
      return JSON.parse(closesQuote(v) ? v : `${v}"`);
    } catch {
      return v.replace(/^"|"$/g, "");
    }
  }
  return v;
}

interface Item {
  name?: unknown;
  status?: unknown;
  items?: unknown;
}

function readWhole(text: string, file: string, onLeaf?: (leaf: SonobuoyLeaf) => void): SonobuoyTree {
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 100 });
  } catch (e) {
    throw new InputError(`${file}: not valid YAML (${oneLine(e)})`);
  }
  if (typeof doc !== "object" || doc === null) throw new InputError(`${file}: not a Sonobuoy results tree`);
  const root = doc as Item;
  const tree: SonobuoyTree = {
    rootName: String(root.name ?? ""),
    rootStatus: String(root.status ?? ""),
    statusCounts: {},
  };
  const walk = (it: Item, path: string[], isRoot: boolean) => {
    const kids = Array.isArray(it.items) ? (it.items as Item[]) : [];
    if (kids.length === 0) {
      const status = typeof it.status === "string" && it.status ? it.status : "unknown";
      tree.statusCounts[status] = (tree.statusCounts[status] ?? 0) + 1;
      onLeaf?.({ name: String(it.name ?? ""), status, path });
      return;
    }
    for (const k of kids)
      if (typeof k === "object" && k) walk(k, isRoot ? path : [...path, String(it.name ?? "")], false);
  };
  walk(root, [], true);
  return tree;
}
