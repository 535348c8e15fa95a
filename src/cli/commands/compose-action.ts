export async function runComposeCommand(argv: string[]): Promise<number> {
  void argv;
  return 1;
}
