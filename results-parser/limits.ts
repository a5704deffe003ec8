/**
 * Bounds that keep memory flat however large (or hostile) the input is. Text beyond a "kept" bound is
 * truncated; input beyond a "max" bound is refused with an InputError.
 */
export const LIMITS = {
  /** A single start tag with its attributes (testcase names are < 1 KiB; failure messages can be long). */
  maxTagChars: 4 * 1024 * 1024,
  /** A single text or CDATA node (saxes buffers a node whole before reporting it). */
  maxTextNodeChars: 32 * 1024 * 1024,
  /** XML element nesting. */
  maxDepth: 256,
  /** Kept per testcase: failure/error message and body, system-out, system-err. */
  keptMessageChars: 8 * 1024,
  keptSystemOutChars: 16 * 1024,
  /** Testcases kept with full detail (failures, errors, cases carrying scs.* properties) per plugin. */
  keptCases: 2000,
  /** Characters of message and system-out/err kept per plugin over all kept cases; beyond, 512 a case. */
  keptDetailChars: 4 * 1024 * 1024,
  /** Executed [Conformance]/NetworkPolicy spec names kept per plugin (upstream lists hold < 600). */
  keptSpecNames: 20_000,
  keptSpecNameChars: 4 * 1024 * 1024,
  /** Properties kept per testcase and per suite. */
  keptProperties: 64,
  keptPropertyValueChars: 4 * 1024,
  /** A small JSON/YAML file read whole (definition.json, serverversion.json, info.json, okToFail...). */
  maxSmallFileBytes: 16 * 1024 * 1024,
  /** A single line of gojson output or of a YAML results file. */
  maxLineChars: 1024 * 1024,
  /** Archive entries; a results tarball has hundreds, never millions. */
  maxEntries: 1_000_000,
  /** Path length of an archive entry. */
  maxPathChars: 4096,
} as const;
