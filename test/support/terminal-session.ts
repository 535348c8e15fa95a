// Runs a command on a pseudo-terminal with util-linux `script`, answering prompts as they appear,
// like a user typing at the keyboard.

import { spawn } from 'node:child_process';

export interface TerminalTranscript {
  exitCode: number | null;
  /** Everything the terminal showed, with CRLF line endings turned into LF. */
  screen: string;
}

/**
 * Starts `command` (a shell command line) on a new terminal, and each time the screen shows
 * `answers[i].prompt`, types `answers[i].input` followed by Enter. Fails after `timeoutMs`.
 */
export function runOnTerminal(
  command: string,
  answers: ReadonlyArray<{ prompt: string; input: string }>,
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<TerminalTranscript> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env, TERM: 'dumb' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    let next = 0;
    let searchFrom = 0;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`terminal session timed out; screen so far:\n${screen}`));
    }, options.timeoutMs ?? 20_000);

    const onOutput = (chunk: Buffer) => {
      screen += chunk.toString('utf8').replace(/\r\n/g, '\n');
      while (next < answers.length) {
        const found = screen.indexOf(answers[next].prompt, searchFrom);
        if (found < 0) {
          break;
        }
        searchFrom = found + answers[next].prompt.length;
        child.stdin.write(`${answers[next].input}\r`);
        next += 1;
      }
    };
    child.stdout.on('data', onOutput);
    child.stderr.on('data', onOutput);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ exitCode: code, screen });
    });
  });
}
