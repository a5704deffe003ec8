import { join } from "node:path";
import { writeFileAtomic, writeFileAtomicSync } from "./atomic-write.ts";

export const DONE_FILE_NAME = "done";

/**
 * Tells Sonobuoy's worker which file to upload. It polls `<results dir>/done`, waits 5 s, reads it,
 * trims it and uploads the named file, so the done file is written last and atomically.
 */
export async function writeDoneFile(resultsDir: string, resultsFile: string): Promise<void> {
  await writeFileAtomic(join(resultsDir, DONE_FILE_NAME), resultsFile);
}

export function writeDoneFileSync(resultsDir: string, resultsFile: string): void {
  writeFileAtomicSync(join(resultsDir, DONE_FILE_NAME), resultsFile);
}
