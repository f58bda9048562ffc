/**
 * The operator's password for CLI commands: `FACTORY_PASSWORD` (scripts) or a hidden
 * prompt on the terminal. Secret: never echoed, logged or stored.
 */
import { createInterface } from 'node:readline';
import { CliError } from './command.ts';

export const PASSWORD_ENV = 'FACTORY_PASSWORD';

/** Reads one line from the terminal without echoing it. */
function hiddenPrompt(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const input = process.stdin;
    process.stderr.write(question);
    input.setRawMode?.(true);
    input.resume();
    input.setEncoding('utf8');
    let value = '';
    const finish = (error?: Error) => {
      input.setRawMode?.(false);
      input.pause();
      input.removeListener('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (text: string) => {
      for (const character of text) {
        if (character === '\r' || character === '\n') return finish();
        if (character === '\u0003') return finish(new CliError('cancelled', 130));
        if (character === '\u007f' || character === '\b') value = value.slice(0, -1);
        else value += character;
      }
    };
    input.on('data', onData);
  });
}

export async function readPassword(
  env: Readonly<Record<string, string | undefined>>,
  label = 'Password',
): Promise<string> {
  const fromEnv = env[PASSWORD_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (!process.stdin.isTTY) {
    throw new CliError(`no password: set ${PASSWORD_ENV} or run in a terminal to be asked`, 2);
  }
  const password = await hiddenPrompt(`${label}: `);
  if (password === '') throw new CliError('empty password', 2);
  return password;
}

/** Asks a yes/no question on the terminal; false when there is no terminal. */
export async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await new Promise<string>((resolve) => rl.question(`${question} [y/N] `, resolve));
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
