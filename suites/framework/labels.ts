/** Labels on everything the suite creates, so that a person (or a sweep) can find and remove it. */
export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const MANAGED_BY_VALUE = "scs-kaas";
export const RUN_ID_LABEL = "scs-kaas.scs.community/run-id";
export const CHECK_LABEL = "scs-kaas.scs.community/check";

export function suiteLabels(runId: string, checkId: string): Record<string, string> {
  return {
    [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
    [RUN_ID_LABEL]: runId,
    [CHECK_LABEL]: labelValue(checkId),
  };
}

/** The selector that finds everything one run left behind: `kubectl delete ns -l <selector>`. */
export function runSelector(runId: string): string {
  return `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE},${RUN_ID_LABEL}=${runId}`;
}

/** A label value: at most 63 characters of [A-Za-z0-9._-], starting and ending alphanumeric. */
export function labelValue(text: string): string {
  const cleaned = text
    .replace(/[^A-Za-z0-9._-]+/g, ".")
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "");
  return cleaned || "x";
}

/** A run id usable in label values and names: `20261121t160405-3f9a`. */
export function newRunId(now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "")
    .toLowerCase();
  return `${stamp}-${Math.random().toString(16).slice(2, 6)}`;
}
