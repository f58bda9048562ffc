import { describe, expect, it } from 'vitest';
import {
  consoleCommands,
  loadAllCommands,
  selectsCommand,
} from '../../../../../electron/core/shells/cli/commands.ts';

describe('factory-console command list (loaded on demand)', () => {
  it('loads, for each name, the module of the command with that name', async () => {
    const loaded = await loadAllCommands();
    expect(loaded.map((command) => command.name)).toEqual(consoleCommands.map((command) => command.name));
    for (const command of loaded) expect(command.summary.length).toBeGreaterThan(10);
  });

  it('has no command twice', () => {
    const names = consoleCommands.map((command) => command.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('selects a command by all of its words, and nothing for help or an unknown word', () => {
    expect(selectsCommand(consoleCommands, ['status', '--json'])).toBe(true);
    expect(selectsCommand(consoleCommands, ['audit', 'verify', 'x.jsonl'])).toBe(true);
    expect(selectsCommand(consoleCommands, ['audit'])).toBe(false);
    expect(selectsCommand(consoleCommands, ['--help'])).toBe(false);
    expect(selectsCommand(consoleCommands, [])).toBe(false);
    expect(selectsCommand(consoleCommands, ['stauts'])).toBe(false);
  });
});
