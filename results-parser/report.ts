import type { Judgement } from "./judge.ts";
import type { ParsedResults } from "./read-results.ts";

/** Everything a renderer needs: what was read and how it was judged. */
export interface Report {
  results: ParsedResults;
  judgement: Judgement;
  /** How the report was asked for (argv), for the scs-report `run.argv`. */
  argv: string[];
  /** When the report was made (ISO 8601). */
  generatedAt: string;
  subject: string;
}
