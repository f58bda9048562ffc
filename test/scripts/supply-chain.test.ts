import { describe, expect, it } from 'vitest';
import { evaluateAudit, licenseViolations } from '../../scripts/supply-chain.ts';

describe('supply-chain gate', () => {
  it('accepts allowed licences and SPDX expressions the allow-list satisfies', () => {
    const lock = {
      packages: {
        '': {},
        'node_modules/a': { version: '1.0.0', license: 'MIT' },
        'node_modules/b': { version: '1.0.0', license: '(BSD-3-Clause OR GPL-2.0)' },
        'node_modules/c': { version: '1.0.0', license: 'MIT AND ISC' },
        'node_modules/d': { version: '1.0.0', license: 'GPL-3.0', dev: true },
      },
    };
    expect(licenseViolations(lock)).toEqual([]);
  });

  it('refuses a production dependency outside the allow-list, or without a licence', () => {
    const lock = {
      packages: {
        'node_modules/x/node_modules/gpl': { version: '2.0.0', license: 'GPL-3.0-only' },
        'node_modules/both': { version: '1.0.0', license: 'MIT AND AGPL-3.0' },
        'node_modules/none': { version: '1.0.0' },
        'node_modules/garbage': { version: '1.0.0', license: 'see LICENSE file' },
      },
    };
    expect(licenseViolations(lock)).toEqual([
      'gpl@2.0.0: GPL-3.0-only',
      'both@1.0.0: MIT AND AGPL-3.0',
      'none@1.0.0: no licence field',
      'garbage@1.0.0: see LICENSE file',
    ]);
  });

  it('fails on high or critical advisories, passes on low and moderate', () => {
    const report = (counts: Record<string, number>) =>
      JSON.stringify({ metadata: { vulnerabilities: counts } });
    expect(evaluateAudit(report({ low: 2, moderate: 1, high: 0, critical: 0 })).status).toBe('ok');
    expect(evaluateAudit(report({ high: 1 })).status).toBe('vulnerable');
    expect(evaluateAudit(report({ critical: 1 })).status).toBe('vulnerable');
  });

  it('reports an unreachable advisory service as unavailable, never as clean', () => {
    const refused = JSON.stringify({
      statusCode: 405,
      message: '405 Method Not Allowed',
      error: { summary: '' },
    });
    expect(evaluateAudit(refused)).toMatchObject({ status: 'unavailable' });
    expect(evaluateAudit('not json').status).toBe('unavailable');
  });
});
