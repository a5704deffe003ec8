import type { V1NetworkPolicy } from "@kubernetes/client-node";
import type { Case } from "./cases.ts";
import {
  allCells,
  type Cell,
  cellKey,
  compare,
  decideCell,
  type Expectation,
  expectedMatrix,
  type Matrix,
  type TestPods,
  type WrongCell,
  wrongCellInWords,
} from "./matrix.ts";
import { renderTables } from "./tables.ts";

/** What the case runner needs from a cluster: set the policies, probe cells. The check gives the real one. */
export interface PolicyCluster {
  /** Makes exactly these policies exist among the check's own (create the new, delete the gone). */
  setPolicies(policies: readonly V1NetworkPolicy[]): Promise<void>;
  /** Probes the cells; every cell gets a result. */
  probe(cells: readonly Cell[], timeoutMs: number): Promise<Matrix>;
  sleep(ms: number): Promise<void>;
  log(line: string): void;
}

export interface Pacing {
  /** First probe timeout (in-cluster connects take milliseconds). */
  probeTimeoutMs: number;
  /** Re-probes use a longer one, so that a slow answer is not taken for a denial. */
  reprobeTimeoutMs: number;
  /** After a policy change, before the first probe: the CNI needs a moment to program it. */
  settleMs: number;
  /** Between re-probes of the cells that differ. */
  reprobeDelayMs: number;
  /** Re-probes of the differing cells before judging (upstream: one); more only while the answers change. */
  reprobes: number;
  /** Re-probes of the baseline's denied cells (Services and servers can take a moment to answer). */
  baselineReprobes: number;
}

export const DEFAULT_PACING: Pacing = {
  probeTimeoutMs: 1000,
  reprobeTimeoutMs: 2500,
  settleMs: 1500,
  reprobeDelayMs: 1500,
  reprobes: 2,
  baselineReprobes: 4,
};

export interface StepResult {
  caseId: string;
  step: string;
  policies: string[];
  wrong: WrongCell[];
  /** Cells whose outcome the policies change relative to no policy and the baseline still shows. */
  demonstrated: number;
  probes: number;
  ms: number;
  tables: string[];
}

export interface CasesResult {
  baseline: Matrix;
  baselineDenied: Cell[];
  steps: StepResult[];
  probes: number;
}

/** Probes, then re-probes the cells that differ from `want` (a few rounds), returning the final matrix. */
async function probeUntilStable(
  cluster: PolicyCluster,
  cells: readonly Cell[],
  differs: (observed: Matrix) => Cell[],
  rounds: number,
  pacing: Pacing,
  counter: { probes: number },
): Promise<Matrix> {
  const observed = await cluster.probe(cells, pacing.probeTimeoutMs);
  counter.probes += cells.length;
  for (let round = 0; round < rounds; round++) {
    const again = differs(observed);
    if (again.length === 0) break;
    await cluster.sleep(pacing.reprobeDelayMs);
    const second = await cluster.probe(again, pacing.reprobeTimeoutMs);
    counter.probes += again.length;
    let changed = 0;
    for (const [k, v] of second) {
      if (observed.get(k) !== v) changed++;
      observed.set(k, v);
    }
    // Still converging (a CNI programming the change) deserves another look; a stable answer does not.
    if (changed === 0) break;
  }
  return observed;
}

export async function measureBaseline(
  cluster: PolicyCluster,
  cells: readonly Cell[],
  pacing: Pacing,
  counter: { probes: number },
): Promise<Matrix> {
  await cluster.setPolicies([]);
  return probeUntilStable(
    cluster,
    cells,
    (m) => cells.filter((c) => m.get(cellKey(c)) === false),
    pacing.baselineReprobes,
    pacing,
    counter,
  );
}

export async function runCases(
  cluster: PolicyCluster,
  env: TestPods,
  cases: readonly Case[],
  pacing: Pacing = DEFAULT_PACING,
): Promise<CasesResult> {
  const cells = allCells();
  const counter = { probes: 0 };
  const baseline = await measureBaseline(cluster, cells, pacing, counter);
  const baselineDenied = cells.filter((c) => baseline.get(cellKey(c)) === false);
  cluster.log(
    `baseline without policies: ${cells.length - baselineDenied.length} of ${cells.length} cells allowed`,
  );
  const steps: StepResult[] = [];
  for (const c of cases) {
    let previous: readonly V1NetworkPolicy[] = [];
    for (const step of c.steps(env)) {
      const started = Date.now();
      const before = counter.probes;
      await cluster.setPolicies(step.policies);
      await cluster.sleep(pacing.settleMs);
      const expected = expectedMatrix(step.policies, env, cells, baseline);
      const observed = await probeUntilStable(
        cluster,
        cells,
        (m) => compare(cells, expected, m).map((w) => w.cell),
        pacing.reprobes,
        pacing,
        counter,
      );
      const wrong = compare(cells, expected, observed);
      // Cells whose outcome this step changes (relative to the step before) and the baseline lets show.
      const demonstrated = cells.filter((cell) => {
        const withPolicy = expected.get(cellKey(cell));
        return (
          withPolicy &&
          !withPolicy.uncertain &&
          baseline.get(cellKey(cell)) === true &&
          decideCell(previous, env, cell).allowed !== withPolicy.allowed
        );
      }).length;
      previous = step.policies;
      const result: StepResult = {
        caseId: c.id,
        step: step.title,
        policies: step.policies.map((p) => p.metadata?.name ?? "?"),
        wrong,
        demonstrated,
        probes: counter.probes - before,
        ms: Date.now() - started,
        tables: wrong.length ? tablesFor(cells, expected, observed, wrong) : [],
      };
      cluster.log(
        `case ${c.id} / ${step.title}: ${wrong.length ? `${wrong.length} cell(s) wrong, first: ${wrongCellInWords(wrong[0] as WrongCell)}` : "matched"} (${result.probes} probes, ${result.ms} ms)`,
      );
      steps.push(result);
    }
    await cluster.setPolicies([]);
  }
  return { baseline, baselineDenied, steps, probes: counter.probes };
}

/** Expected, observed and diff tables for the port/address combinations that have a wrong cell. */
function tablesFor(
  cells: readonly Cell[],
  expected: Map<string, Expectation>,
  observed: Matrix,
  wrong: readonly WrongCell[],
): string[] {
  const only = (port: number, protocol: string, via: string) =>
    wrong.some((w) => w.cell.port === port && w.cell.protocol === protocol && w.cell.via === via);
  return (["expected", "observed", "diff"] as const).flatMap((kind) =>
    renderTables(kind, cells, expected, observed, only),
  );
}
