// Jest reporter that ends the run with one plain line, "tests: N passed, N failed, N skipped",
// which CI systems that do not know jest's own summary can read.
'use strict';

class SummaryReporter {
  onRunComplete(_contexts, results) {
    process.stdout.write(
      `tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests} skipped\n`,
    );
  }
}

module.exports = SummaryReporter;
