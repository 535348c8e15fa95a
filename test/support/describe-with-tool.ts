/**
 * Runs the block when `tool` is installed. Without it, the block is skipped with a warning on a
 * developer machine, and fails when CI=true, so CI can never pass by skipping.
 */
export function describeWithTool(title: string, tool: string, available: boolean, body: () => void): void {
  if (available) {
    describe(title, body);
  } else if (process.env.CI === 'true') {
    describe(title, () => {
      it(`needs ${tool}`, () => {
        throw new Error(`${tool} is required when CI=true, but it is not installed`);
      });
    });
  } else {
    console.warn(
      `\n!!! SKIPPING "${title}": ${tool} is not installed. ` +
        'These checks run against the real tool, so install it to run them (CI fails without it). !!!\n',
    );
    describe.skip(title, body);
  }
}
