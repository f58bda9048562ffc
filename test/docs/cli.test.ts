/**
 * docs/CLI.md documents every command of both command-line tools: the commands are read
 * from each CLI's own `--help` (the real entry points in bin/), so a new command without
 * its row in the reference fails here.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const reference = readFileSync(join(root, 'docs/CLI.md'), 'utf8');

/** Command names from a `--help` listing (`  name words  summary`). */
function commandsOf(help: string): string[] {
  const listing = help.split('Commands:')[1] ?? '';
  return [...listing.matchAll(/^ {2}(\S+(?: \S+)*?) {2,}\S/gm)].map((match) => match[1]!);
}

/** Commands with no table row in the reference that starts with `` `name `` under the tool's heading. */
function undocumented(tool: string, commands: string[], text: string): string[] {
  const section = text.split(/^## /m).find((part) => part.startsWith(`\`${tool}\``)) ?? '';
  return commands.filter((command) => !new RegExp(`^\\| \`${command}[\` ]`, 'm').test(section));
}

function help(bin: string): string {
  const result = spawnSync(process.execPath, [join(root, 'bin', bin), '--help'], { encoding: 'utf8' });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout;
}

describe('docs/CLI.md', () => {
  it('the check finds a command without a row (it can fail)', () => {
    const text =
      '## `tool` — x\n\n| command | what |\n|---|---|\n| `serve` | starts |\n| `audit verify FILE` | checks |\n';
    const listing =
      'Usage: tool <command>\n\nCommands:\n  serve         starts\n  audit verify  checks\n  doctor        new\n';
    expect(commandsOf(listing)).toEqual(['serve', 'audit verify', 'doctor']);
    expect(undocumented('tool', commandsOf(listing), text)).toEqual(['doctor']);
  });

  for (const [tool, bin] of [
    ['factory-console', 'factory-console.js'],
    ['factory-api', 'factory-api.js'],
  ] as const) {
    it(`documents every command of ${tool} --help`, () => {
      const commands = commandsOf(help(bin));
      expect(commands.length).toBeGreaterThan(2);
      expect(undocumented(tool, commands, reference)).toEqual([]);
    });
  }
});
