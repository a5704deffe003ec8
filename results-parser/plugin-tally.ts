import { truncate } from "./bounded-text.ts";
import { LIMITS } from "./limits.ts";
import { excuse, type OkToFail } from "./scope.ts";
import { type Counts, detach, detachCase, type TestCase, zeroCounts } from "./test-case.ts";

/**
 * Spec names of one kind (executed, or skipped), kept to tell which specs of an upstream list ran: only
 * names that can be in such a list (`[Conformance]` or `NetworkPolicy`), bounded (LIMITS).
 */
export class NameSet {
  readonly names = new Set<string>();
  /** Names not kept because the bound was reached: the set is then incomplete. */
  dropped = 0;
  private chars = 0;

  add(name: string): void {
    if (this.names.has(name)) return;
    if (this.names.size >= LIMITS.keptSpecNames || this.chars + name.length > LIMITS.keptSpecNameChars) {
      this.dropped++;
      return;
    }
    this.chars += name.length;
    this.names.add(detach(name));
  }
}

export interface SlowCase {
  name: string;
  time: number;
}

/**
 * What a plugin's results add up to, accumulated case by case so that memory stays flat: counts for
 * every case, full detail only for the few that matter (failures, errors, cases with scs.* properties).
 */
export class PluginTally {
  counts: Counts = zeroCounts();
  pseudo: Counts = zeroCounts();
  pseudoFailures: TestCase[] = [];
  /** Failures, errors and scs-annotated cases with detail, up to LIMITS.keptCases. */
  kept: TestCase[] = [];
  keptTruncated = 0;
  /**
   * Failed/errored cases beyond `kept`, judged against the okToFail list as they are read (their names
   * are not kept, so memory does not grow with the number of failures): the excused ones per regex.
   */
  moreFailures = 0;
  moreExcused = new Map<string, { reason: string; count: number }>();
  /** Characters of detail (message, system-out/err) held by `kept`, bounded by LIMITS.keptDetailChars. */
  private keptChars = 0;
  /** The okToFail list `moreFailures` were judged against (none: all count as not excused). */
  readonly okToFail: OkToFail[];

  /** One alternation of every okToFail regex: most failures match none, and one search says so. */
  private readonly anyOkToFail: RegExp | undefined;

  constructor(okToFail: OkToFail[] = []) {
    this.okToFail = okToFail;
    // Numbered backreferences would change meaning inside an alternation: then search one by one.
    if (okToFail.length > 1 && !okToFail.some((e) => /\\[1-9]/.test(e.regex)))
      this.anyOkToFail = new RegExp(okToFail.map((e) => `(?:${e.regex})`).join("|"));
  }

  get moreUnexcused(): number {
    let excused = 0;
    for (const e of this.moreExcused.values()) excused += e.count;
    return this.moreFailures - excused;
  }
  /** Ran (passed/failed/error) cases whose names carry these marks; used to tell what the plugin ran. */
  ranConformance = 0;
  ranNetworkPolicy = 0;
  /** Skipped cases marked [Conformance]: a conformance run that skips any of them is incomplete. */
  skippedConformance = 0;
  /** Names (without `[It] `) of executed specs that are [Conformance] or NetworkPolicy specs. */
  executedListed = new NameSet();
  /** Names of skipped NetworkPolicy specs (to name them when they had to run). */
  skippedNetworkPolicy = new NameSet();
  scsCases = 0;
  durationSeconds = 0;
  slowest: SlowCase[] = [];

  add(c: TestCase): void {
    if (c.pseudo) {
      this.pseudo[c.status]++;
      if ((c.status === "failed" || c.status === "error") && this.pseudoFailures.length < 20)
        this.pseudoFailures.push(c);
      return;
    }
    this.counts[c.status]++;
    this.durationSeconds += c.time;
    const isScs = "scs.test-id" in c.properties || "scs.check-id" in c.properties;
    if (isScs) this.scsCases++;
    const conformance = c.name.includes("[Conformance]");
    const networkPolicy = c.name.includes("NetworkPolicy");
    if (c.status !== "skipped") {
      if (conformance) this.ranConformance++;
      if (networkPolicy) this.ranNetworkPolicy++;
      if (conformance || networkPolicy) this.executedListed.add(c.name);
    } else {
      if (conformance) this.skippedConformance++;
      if (networkPolicy) this.skippedNetworkPolicy.add(c.name);
    }
    const bad = c.status === "failed" || c.status === "error";
    if (bad || isScs) {
      if (this.kept.length < LIMITS.keptCases) this.keep(c);
      else {
        this.keptTruncated++;
        if (bad) {
          this.moreFailures++;
          // The junit name: okToFail regexes are searched in it, as the SCS driver does.
          const ok =
            this.anyOkToFail && !this.anyOkToFail.test(c.junitName)
              ? undefined
              : excuse(this.okToFail, c.junitName);
          if (ok) {
            const e = this.moreExcused.get(ok.regex);
            if (e) e.count++;
            else this.moreExcused.set(ok.regex, { reason: ok.reason, count: 1 });
          }
        }
      }
    }
    if (c.time > 0) this.noteDuration(c.name, c.time);
  }

  /** Keeps a case's detail while the budget lasts; then only its first lines. */
  private keep(c: TestCase): void {
    const d = detachCase(c);
    const chars = (d.message?.length ?? 0) + (d.systemOut?.length ?? 0) + (d.systemErr?.length ?? 0);
    if (this.keptChars + chars > LIMITS.keptDetailChars) {
      delete d.systemOut;
      delete d.systemErr;
      if (d.message && d.message.length > 512) d.message = truncate(d.message, 512);
    }
    this.keptChars += (d.message?.length ?? 0) + (d.systemOut?.length ?? 0) + (d.systemErr?.length ?? 0);
    this.kept.push(d);
  }

  private noteDuration(name: string, time: number): void {
    const s = this.slowest;
    if (s.length === 10 && time <= (s[9]?.time ?? 0)) return;
    s.push({ name: detach(name), time });
    s.sort((a, b) => b.time - a.time);
    if (s.length > 10) s.pop();
  }

  get ran(): number {
    return this.counts.passed + this.counts.failed + this.counts.error;
  }
}
