// Output to stdout and stderr. Kept apart from io.ts so that commands that only print (list,
// probe) do not load the terminal prompt code.

/** Writes `data` to stdout and resolves once the stream has taken it. */
export function writeStdout(data: Buffer | string): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(data, (error) => (error ? reject(error) : resolve()));
  });
}

export function printWarning(message: string): void {
  process.stderr.write(`amulet: warning: ${message}\n`);
}

export function printInfo(message: string): void {
  process.stderr.write(`amulet: ${message}\n`);
}
