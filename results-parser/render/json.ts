import type { Report } from "../report.ts";

export function reportToJson(r: Report) {
  const { judgement: j, results } = r;
  return {
    input: results.input,
    kind: results.kind,
    generatedAt: r.generatedAt,
    scope: j.scope,
    okToFailFile: j.okToFailFile,
    overall: j.overall,
    exitCode: j.exitCode,
    verdicts: Object.fromEntries(j.testIds.map((t) => [t.id, t.verdict])),
    testIds: j.testIds,
    modules: j.modules,
    plugins: results.plugins.map((p, i) => ({
      name: p.name,
      format: p.format,
      role: j.roles[i]?.role,
      roleReason: j.roles[i]?.why,
      counts: p.tally.counts,
      pseudoCases: p.tally.pseudo,
      sonobuoyCounts: p.sonobuoyCounts,
      cachedStatusCounts: p.cached?.statusCounts,
      ginkgoTallies: p.ginkgoTallies,
      durationSeconds: p.tally.durationSeconds,
      slowest: p.tally.slowest,
      nodes: p.nodes,
      resultFiles: p.resultFiles,
      definitionFile: p.definitionFile,
      definition: p.definition,
      errors: p.errors,
      junit: p.junitFiles.map((f) => ({
        file: f.file,
        suites: f.suites,
        emptySuites: f.emptySuites,
        nestedSuites: f.nestedSuites,
        casesSonobuoyMisses: f.casesSonobuoyMisses,
      })),
    })),
    cluster: results.cluster,
    findings: j.findings,
  };
}

export function renderJson(r: Report): string {
  return `${JSON.stringify(reportToJson(r), null, 2)}\n`;
}
