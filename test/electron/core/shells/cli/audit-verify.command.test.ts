import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultRememberFile } from '../../../../../electron/core/shells/cli/audit-verify.command.ts';

describe('factory-console audit verify', () => {
  it('remembers checkpoints in the console home', () => {
    expect(defaultRememberFile({ FACTORY_CONSOLE_HOME: '/srv/console' })).toBe(
      path.join('/srv/console', 'audit-checkpoints.json'),
    );
    expect(defaultRememberFile({ XDG_CONFIG_HOME: '/x/config' })).toMatch(/audit-checkpoints\.json$/);
  });
});
