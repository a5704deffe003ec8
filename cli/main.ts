import { Command, CommanderError } from "commander";
import { SUITE_VERSION } from "../runner/suite-version.ts";

/** A command module: cli/commands/<name>.ts, exporting register(program). */
interface CommandModule {
  register(program: Command): void;
}

/**
 * Every command, in the order `--help` lists them. A module is imported only when its command runs
 * (`run` pulls in the Kubernetes client, `report` the results parser); `--help`, `help` and anything
 * that names no known command load them all, so help and "unknown command" read as before.
 */
const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  run: () => import("./commands/run.ts"),
  list: () => import("./commands/list.ts"),
  "version-policy": () => import("./commands/version-policy.ts"),
  report: () => import("./commands/report.ts"),
  rbac: () => import("./commands/rbac.ts"),
  cleanup: () => import("./commands/cleanup.ts"),
  sonobuoy: () => import("./commands/sonobuoy.ts"),
  "probe-server": () => import("./commands/probe-server.ts"),
};

/** The command the arguments run (`scs-kaas <cmd> ...` or `scs-kaas help <cmd>`), if it is a known one. */
export function commandToRun(args: readonly string[]): string | undefined {
  const [first, second] = args;
  const name = first === "help" ? second : first;
  return name !== undefined && Object.hasOwn(COMMANDS, name) ? name : undefined;
}

export async function buildProgram(args: readonly string[] = process.argv.slice(2)): Promise<Command> {
  const program = new Command("scs-kaas")
    .description("Checks a Kubernetes cluster against the Sovereign Cloud Stack (SCS) KaaS standards")
    .version(SUITE_VERSION)
    // Program options only before the command: `version-policy --version v1.30.0` is the command's option.
    .enablePositionalOptions()
    .showHelpAfterError()
    .exitOverride();
  const wanted = commandToRun(args);
  // `scs-kaas --version` needs no command module (loading them all costs ~0.5 s and the Kubernetes client).
  const versionOnly = !wanted && (args[0] === "--version" || args[0] === "-V");
  const names = wanted ? [wanted] : versionOnly ? [] : Object.keys(COMMANDS);
  const modules = await Promise.all(names.map((name) => (COMMANDS[name] as () => Promise<CommandModule>)()));
  for (const m of modules) m.register(program);
  return program;
}

try {
  await (await buildProgram()).parseAsync(process.argv);
} catch (err) {
  // Usage errors (unknown option, bad argument) exit 2 like an abort; --help and --version exit 0.
  if (err instanceof CommanderError) process.exitCode = err.exitCode === 0 ? 0 : 2;
  else {
    process.stderr.write(`scs-kaas: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  }
}
