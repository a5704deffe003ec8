import Mocha from "mocha";

/**
 * Mocha's spec output plus one closing line in the plain form CI reads from any runner:
 * `tests: N passed, N failed, N skipped`.
 */
export default class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const { passes = 0, failures = 0, pending = 0 } = runner.stats ?? {};
      console.log(`tests: ${passes} passed, ${failures} failed, ${pending} skipped`);
    });
  }
}
