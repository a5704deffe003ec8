// A stand-in for cli/main.ts with only the report command, so the tests can run `scs-kaas report` as a
// child process whether or not the full CLI is there. Usage: node results-parser/test-support/report-cli.ts report ...
import { Command } from "commander";
import { register } from "../../cli/commands/report.ts";

const program = new Command("scs-kaas").exitOverride((err) => {
  process.exit(err.exitCode === 0 ? 0 : 2);
});
register(program);
await program.parseAsync(process.argv);
