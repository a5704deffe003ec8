import { InputError } from "./input-error.ts";
import { LIMITS } from "./limits.ts";

/**
 * Normalises an archive entry path to `a/b/c` form, refusing paths that escape the archive root:
 * absolute paths, drive letters, `..` segments, NUL bytes. `./` prefixes and empty segments are dropped.
 */
export function safeEntryPath(raw: string): string {
  if (raw.length > LIMITS.maxPathChars)
    throw new InputError(`archive entry path longer than ${LIMITS.maxPathChars} characters`);
  if (raw.includes("\0")) throw new InputError("archive entry path contains a NUL byte");
  const p = raw.replace(/\\/g, "/");
  if (p.startsWith("/") || /^[A-Za-z]:/.test(p))
    throw new InputError(`archive entry has an absolute path: ${JSON.stringify(raw)}`);
  const parts = p.split("/").filter((s) => s !== "" && s !== ".");
  if (parts.includes(".."))
    throw new InputError(`archive entry path escapes the archive: ${JSON.stringify(raw)}`);
  return parts.join("/");
}

/** A link target is safe when, resolved against the link's own folder, it stays inside the archive. */
export function linkStaysInside(entryPath: string, target: string): boolean {
  return resolveLinkTarget(entryPath, target) !== undefined;
}

/** The archive path a link target names, resolved against the link's folder; undefined when it leaves. */
export function resolveLinkTarget(entryPath: string, target: string): string | undefined {
  const t = target.replace(/\\/g, "/");
  if (t.startsWith("/") || /^[A-Za-z]:/.test(t) || t.includes("\0")) return undefined;
  const stack = entryPath.split("/").slice(0, -1);
  for (const seg of t.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") {
      if (stack.length === 0) return undefined;
      stack.pop();
    } else stack.push(seg);
  }
  return stack.join("/");
}
