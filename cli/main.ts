import { Command, CommanderError } from "commander";
import { SUITE_VERSION } from "../runner/suite-version.ts";
import { register as registerList } from "./commands/list.ts";
import { register as registerRbac } from "./commands/rbac.ts";
import { register as registerReport } from "./commands/report.ts";
import { register as registerRun } from "./commands/run.ts";
import { register as registerVersionPolicy } from "./commands/version-policy.ts";

/** Each command lives in cli/commands/<name>.ts and exports register(program). */
const COMMANDS = [registerRun, registerList, registerVersionPolicy, registerReport, registerRbac];

export function buildProgram(): Command {
  const program = new Command("scs-kaas")
    .description("Checks a Kubernetes cluster against the Sovereign Cloud Stack (SCS) KaaS standards")
    .version(SUITE_VERSION)
    .showHelpAfterError()
    .exitOverride();
  for (const register of COMMANDS) register(program);
  return program;
}

try {
  await buildProgram().parseAsync(process.argv);
} catch (err) {
  // Usage errors (unknown option, bad argument) exit 2 like an abort; --help and --version exit 0.
  if (err instanceof CommanderError) process.exitCode = err.exitCode === 0 ? 0 : 2;
  else {
    process.stderr.write(`scs-kaas: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  }
}
