/** Hidden, confirmed password entry on a terminal (first-run admin). */
import readline from 'node:readline';
import { PASSWORD_MIN_LENGTH } from '../../shared/common/api/auth.ts';

function askHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: true });
    const output = rl as unknown as { _writeToOutput: (text: string) => void };
    let muted = false;
    output._writeToOutput = (text: string) => {
      if (!muted) process.stdout.write(text);
    };
    rl.question(question, (answer) => {
      rl.close();
      process.stdout.write('\n');
      resolve(answer);
    });
    muted = true;
    rl.on('SIGINT', () => {
      rl.close();
      reject(new Error('cancelled'));
    });
  });
}

/** Asks until the operator types the same password of at least 12 characters twice (3 tries). */
export async function promptNewAdminPassword(email: string): Promise<string> {
  process.stdout.write(
    `No account exists yet. Choose the password for ${email} (at least ${PASSWORD_MIN_LENGTH} characters).\n`,
  );
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const first = await askHidden('Admin password: ');
    if (first.length < PASSWORD_MIN_LENGTH) {
      process.stdout.write(`Too short: at least ${PASSWORD_MIN_LENGTH} characters.\n`);
      continue;
    }
    const second = await askHidden('Confirm password: ');
    if (first === second) return first;
    process.stdout.write('The passwords differ.\n');
  }
  throw new Error('no password chosen');
}
