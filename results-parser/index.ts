import { type Judgement, judge } from "./judge.ts";
import type { PluginRole } from "./plugin-role.ts";
import { type ParsedResults, readResults } from "./read-results.ts";
import type { Report } from "./report.ts";
import { BUNDLED_OK_TO_FAIL, BUNDLED_SCOPE, loadOkToFail, loadScope } from "./scope.ts";

export { InputError, oneLine } from "./input-error.ts";
export type { Judgement, ParsedResults, Report };

import type { OutputFormat } from "./output-formats.ts";

export { OUTPUT_FORMATS, type OutputFormat } from "./output-formats.ts";

export interface ReportOptions {
  scopeFile?: string;
  okToFailFile?: string;
  scopeVersion?: string;
  roleOverrides?: Record<string, PluginRole>;
  roleTestIds?: Partial<Record<PluginRole, string>>;
  subject?: string;
  argv?: string[];
  now?: Date;
}

/** Reads a results tarball or directory and judges it against the scope. Throws InputError on bad input. */
export async function makeReport(input: string, opts: ReportOptions = {}): Promise<Report> {
  const okToFailFile = opts.okToFailFile ?? BUNDLED_OK_TO_FAIL;
  // The okToFail list first: failures beyond the kept ones are judged against it as they are read.
  const okToFail = await loadOkToFail(okToFailFile);
  const [scope, results] = await Promise.all([
    loadScope(opts.scopeFile ?? BUNDLED_SCOPE),
    readResults(input, { okToFail }),
  ]);
  const judgement = judge(results, {
    scope,
    okToFail,
    okToFailFile,
    ...(opts.scopeVersion ? { version: opts.scopeVersion } : {}),
    ...(opts.roleOverrides ? { roleOverrides: opts.roleOverrides } : {}),
    ...(opts.roleTestIds ? { roleTestIds: opts.roleTestIds } : {}),
  });
  return {
    results,
    judgement,
    argv: opts.argv ?? ["report", input],
    generatedAt: (opts.now ?? new Date()).toISOString(),
    subject: opts.subject ?? results.cluster.version ?? "unknown",
  };
}

/** Renders a report; renderers are loaded on demand to keep the CLI's start-up short. */
export async function render(report: Report, format: OutputFormat): Promise<string> {
  switch (format) {
    case "lines":
      return (await import("./render/lines.ts")).renderLines(report);
    case "json":
      return (await import("./render/json.ts")).renderJson(report);
    case "scs-report":
      return (await import("./render/scs-report.ts")).renderScsReport(report);
    case "markdown":
      return (await import("./render/markdown.ts")).renderMarkdown(report);
    case "html":
      return (await import("./render/html.ts")).renderHtml(report);
  }
}
