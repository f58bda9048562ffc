/**
 * The second factor's code for CLI sign-ins (docs/IDENTITY.md): `--code CODE` (a TOTP code
 * or a recovery code), else a prompt on the terminal, asked only when the server says
 * `mfa_required`. Without a terminal and without `--code` the sign-in fails with a line
 * saying so. Secret: never echoed, logged or stored.
 */
import { createInterface } from 'node:readline/promises';
import { CliError } from './command.ts';

/** Takes `--code CODE` out of `args`; the rest is returned for the command's own parsing. */
export function takeCodeOption(args: readonly string[]): { code: string | undefined; rest: string[] } {
  const rest: string[] = [];
  let code: string | undefined;
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index]!;
    if (arg === '--code' || arg.startsWith('--code=')) {
      const value = arg === '--code' ? args[(index += 1)] : arg.slice('--code='.length);
      if (value === undefined || value.trim() === '') throw new CliError('--code needs a value', 2);
      code = value.trim();
    } else rest.push(arg);
  }
  return { code, rest };
}

/** What `client.login(…, { code })` calls when the server asks for a factor. */
export function secondFactorCode(given: string | undefined): () => Promise<string> {
  return async () => {
    if (given !== undefined) return given;
    if (!process.stdin.isTTY) {
      throw new CliError(
        'this account has a second factor: give its code with --code (TOTP or a recovery code)',
        2,
      );
    }
    const prompt = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    try {
      const code = (await prompt.question('Authenticator code (or a recovery code): ')).trim();
      if (code === '') throw new CliError('no code given', 2);
      return code;
    } finally {
      prompt.close();
    }
  };
}
