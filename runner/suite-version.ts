import { readFileSync } from "node:fs";

/** The package version, stated in every junit. */
export const SUITE_VERSION: string = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;
