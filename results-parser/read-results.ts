import { type ArchiveEntry, type ArchivePlan, forEachEntry, type InputKind } from "./archive-source.ts";
import {
  applyNodeList,
  applyServerVersion,
  applySonobuoyConfig,
  type ClusterFacts,
} from "./cluster-facts.ts";
import { type GinkgoTally, readGinkgoTally } from "./e2e-log-tally.ts";
import { readGojson } from "./gojson-reader.ts";
import { InputError, oneLine } from "./input-error.ts";
import { type JunitFileFacts, readJunit } from "./junit-reader.ts";
import {
  isDaemonSet,
  type PluginDefinition,
  parsePluginDefinition,
  type ResultFormat,
} from "./plugin-definition.ts";
import { PluginTally } from "./plugin-tally.ts";
import { parseJsonOrThrow, readSmall } from "./read-small.ts";
import type { OkToFail } from "./scope.ts";
import { readSonobuoyItems, type SonobuoyTree } from "./sonobuoy-items.ts";
import { basename, layoutRole } from "./tarball-layout.ts";
import { type Counts, type TestCase, zeroCounts } from "./test-case.ts";

/** One plugin's results, recomputed from its raw files. */
export interface PluginResults {
  name: string;
  definitionFile?: string;
  definition?: PluginDefinition;
  /** The format the files were read in (the definition's, or a guess when there is none). */
  format: ResultFormat;
  tally: PluginTally;
  /** Results files read as tests (selected per format and result-files), archive-relative. */
  resultFiles: string[];
  junitFiles: JunitFileFacts[];
  /** DaemonSet plugins: the nodes that reported. */
  nodes: string[];
  /** What Sonobuoy's own post-processor would count from the same files. */
  sonobuoyCounts: Counts;
  /** The tarball's cached sonobuoy_results.yaml, as `sonobuoy results` shows it. */
  cached?: SonobuoyTree;
  ginkgoTallies: GinkgoTally[];
  /** Files under plugins/<name>/errors/: the plugin failed to run or to report. */
  errors: { file: string; message: string }[];
  notes: string[];
}

export interface ParsedResults {
  input: string;
  kind: InputKind;
  plugins: PluginResults[];
  cluster: ClusterFacts;
  /** What reading the input noticed: links resolved, paths stored twice (archive-source.ts). */
  warnings: string[];
}

const SELECT_EXT: Record<ResultFormat, string[]> = {
  junit: [".xml"],
  gojson: [".json"],
  manual: [".yaml", ".yml"],
  raw: [""],
};

function selected(def: { format: ResultFormat; resultFiles: string[] }, path: string): boolean {
  const base = basename(path);
  if (def.resultFiles.length > 0) return def.resultFiles.includes(base);
  return SELECT_EXT[def.format].some((ext) => path.endsWith(ext));
}

/**
 * Reads a Sonobuoy results tarball or extracted directory; throws InputError for unreadable input. A
 * tarball holding links or paths stored twice is read again as extraction would leave it.
 */
export async function readResults(
  input: string,
  opts: { okToFail?: OkToFail[] } = {},
): Promise<ParsedResults> {
  const first = await readOnce(input, opts.okToFail ?? []);
  if (!first.plan) return first.results;
  const again = await readOnce(input, opts.okToFail ?? [], first.plan);
  return { ...again.results, warnings: first.results.warnings };
}

async function readOnce(
  input: string,
  okToFail: OkToFail[],
  plan?: ArchivePlan,
): Promise<{ results: ParsedResults; plan?: ArchivePlan }> {
  const plugins = new Map<string, PluginResults>();
  const cluster: ClusterFacts = { nodes: [] };
  const deferred = new Set<string>();
  let sawPluginsDir = false;

  const plugin = (name: string): PluginResults => {
    let p = plugins.get(name);
    if (!p) {
      p = {
        name,
        format: "raw",
        tally: new PluginTally(okToFail),
        resultFiles: [],
        junitFiles: [],
        nodes: [],
        sonobuoyCounts: zeroCounts(),
        ginkgoTallies: [],
        errors: [],
        notes: [],
      };
      plugins.set(name, p);
    }
    return p;
  };

  const readResultFile = async (p: PluginResults, format: ResultFormat, e: ArchiveEntry) => {
    p.resultFiles.push(e.path);
    const add = (c: TestCase) => p.tally.add(c);
    switch (format) {
      case "junit": {
        const facts = await readJunit(e.body, e.path, add);
        p.junitFiles.push(facts);
        p.sonobuoyCounts.passed += facts.sonobuoyView.passed;
        p.sonobuoyCounts.failed += facts.sonobuoyView.failed;
        p.sonobuoyCounts.skipped += facts.sonobuoyView.skipped;
        return;
      }
      case "gojson":
        await readGojson(e.body, e.path, (c) => {
          add(c);
          p.sonobuoyCounts[c.status === "error" ? "failed" : c.status]++;
        });
        return;
      case "manual": {
        await readSonobuoyItems(e.body, e.path, (leaf) => {
          const status =
            leaf.status === "passed" || leaf.status === "failed" || leaf.status === "skipped"
              ? leaf.status
              : undefined;
          add({
            name: leaf.name,
            junitName: leaf.name,
            suite: leaf.path.at(-1) ?? "",
            file: e.path,
            time: 0,
            status: status ?? (leaf.status === "timeout" ? "error" : "passed"),
            properties: status ? {} : { "sonobuoy.status": leaf.status },
            pseudo: false,
          });
          if (status) p.sonobuoyCounts[status]++;
          else if (leaf.status === "timeout") p.sonobuoyCounts.failed++;
        });
        return;
      }
      case "raw":
        add({
          name: basename(e.path),
          junitName: basename(e.path),
          suite: "",
          file: e.path,
          time: 0,
          status: "passed",
          properties: {},
          pseudo: false,
        });
        p.sonobuoyCounts.passed++;
        return;
    }
  };

  const handle = async (e: ArchiveEntry, secondPass: boolean) => {
    const role = layoutRole(e.path);
    if (secondPass && !deferred.has(e.path)) return;
    switch (role.kind) {
      case "definition": {
        sawPluginsDir = true;
        const p = plugin(role.plugin);
        p.definition = parsePluginDefinition(await readSmall(e.body, e.path), e.path);
        p.definitionFile = e.path;
        p.format = p.definition.format;
        p.notes.push(...p.definition.warnings);
        return;
      }
      case "cached-results":
        sawPluginsDir = true;
        try {
          plugin(role.plugin).cached = await readSonobuoyItems(e.body, e.path);
        } catch (err) {
          if (!(err instanceof InputError)) throw err;
          plugin(role.plugin).notes.push(`cached ${e.path} not understood: ${oneLine(err)}`);
        }
        return;
      case "plugin-error": {
        sawPluginsDir = true;
        const text = await readSmall(e.body, e.path);
        let message = text.trim().slice(0, 2000);
        try {
          const doc = JSON.parse(text) as Record<string, unknown>;
          if (doc && typeof doc.error === "string") message = doc.error;
        } catch {
          // not JSON: keep the text
        }
        plugin(role.plugin).errors.push({ file: e.path, message });
        return;
      }
      case "result": {
        sawPluginsDir = true;
        const p = plugin(role.plugin);
        if (!p.definition && !secondPass) {
          // Results before the definition: read once the format is known (a second pass).
          if (basename(e.path) === "e2e.log") {
            const t = await readGinkgoTally(e.body, e.path);
            if (t) p.ginkgoTallies.push(t);
          }
          deferred.add(e.path);
          return;
        }
        const daemonSet = p.definition ? isDaemonSet(p.definition) : role.node !== "global";
        if (daemonSet && role.node && !p.nodes.includes(role.node)) p.nodes.push(role.node);
        const selection = { format: p.format, resultFiles: p.definition?.resultFiles ?? [] };
        if (!secondPass && basename(e.path) === "e2e.log" && !selected(selection, e.path)) {
          const t = await readGinkgoTally(e.body, e.path);
          if (t) p.ginkgoTallies.push(t);
          return;
        }
        if (selected(selection, e.path)) await readResultFile(p, p.format, e);
        return;
      }
      case "plugin-other":
        sawPluginsDir = true;
        plugin(role.plugin);
        return;
      case "server-version":
        applyServerVersion(cluster, parseJsonOrThrow(await readSmall(e.body, e.path), e.path));
        return;
      case "nodes":
        applyNodeList(cluster, parseJsonOrThrow(await readSmall(e.body, e.path), e.path));
        return;
      case "sonobuoy-config":
        try {
          applySonobuoyConfig(cluster, JSON.parse(await readSmall(e.body, e.path)));
        } catch {
          // informational only
        }
        return;
      case "other":
        return;
    }
  };

  const source = await forEachEntry(input, (e) => handle(e, false), plan);
  if (source.plan)
    return {
      results: { input, kind: source.kind, plugins: [], cluster, warnings: source.warnings },
      plan: source.plan,
    };
  const kind = source.kind;
  if (!sawPluginsDir) throw new InputError(`${input}: not Sonobuoy results (no plugins/<name>/ entries)`);
  if (deferred.size > 0) {
    for (const p of plugins.values()) {
      if (p.definition) continue;
      const hasXml = [...deferred].some((d) => {
        const r = layoutRole(d);
        return r.kind === "result" && r.plugin === p.name && d.endsWith(".xml");
      });
      p.format = hasXml ? "junit" : "raw";
      p.notes.push(`no definition.json: results read as ${p.format} (guessed from the files)`);
    }
    await forEachEntry(input, (e) => handle(e, true), plan);
  }
  return {
    results: {
      input,
      kind,
      plugins: [...plugins.values()].sort((a, b) => a.name.localeCompare(b.name)),
      cluster,
      warnings: source.warnings,
    },
  };
}
