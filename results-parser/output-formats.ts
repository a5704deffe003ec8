/** The report's output formats (a module of its own so the CLI can list them without loading the parser). */
export const OUTPUT_FORMATS = ["lines", "scs-report", "json", "markdown", "html"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
