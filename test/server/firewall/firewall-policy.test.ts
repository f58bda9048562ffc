import { describe, expect, it } from 'vitest';
import { decide, toPolicyRule, type PolicyRule } from '../../../server/firewall/firewall-policy.ts';
import { clientAddress } from '../../../server/firewall/ip-cidr.ts';

const NOW = Date.parse('2026-06-01T12:00:00.000Z');
const rule = (
  id: string,
  action: 'allow' | 'deny',
  cidr: string,
  expires: string | null = null,
): PolicyRule => toPolicyRule({ id, action, cidr, expires_at: expires });

describe('firewall decisions', () => {
  it('lets everyone in without rules or enforce mode', () => {
    expect(decide(clientAddress('198.51.100.1'), [], false, NOW)).toEqual({
      allowed: true,
      reason: 'default_allow',
    });
  });

  it('lets a deny beat an allow, whatever their order and specificity', () => {
    const rules = [rule('a', 'allow', '10.0.0.5/32'), rule('d', 'deny', '10.0.0.0/8')];
    expect(decide(clientAddress('10.0.0.5'), rules, false, NOW)).toEqual({
      allowed: false,
      reason: 'deny_rule',
      ruleId: 'd',
    });
    expect(decide(clientAddress('10.0.0.5'), [...rules].reverse(), true, NOW)).toMatchObject({
      allowed: false,
      ruleId: 'd',
    });
    expect(decide(clientAddress('11.0.0.5'), rules, false, NOW)).toEqual({
      allowed: true,
      reason: 'default_allow',
    });
  });

  it('ignores expired rules, from the expiry instant on', () => {
    const expiring = [rule('d', 'deny', '10.0.0.0/8', new Date(NOW).toISOString())];
    expect(decide(clientAddress('10.1.1.1'), expiring, false, NOW - 1)).toMatchObject({ allowed: false });
    expect(decide(clientAddress('10.1.1.1'), expiring, false, NOW)).toEqual({
      allowed: true,
      reason: 'default_allow',
    });
  });

  it('in enforce mode admits only allow-listed and loopback clients', () => {
    const rules = [rule('a', 'allow', '2001:db8::/32')];
    expect(decide(clientAddress('2001:db8::9'), rules, true, NOW)).toEqual({
      allowed: true,
      reason: 'allow_rule',
      ruleId: 'a',
    });
    expect(decide(clientAddress('127.0.0.1'), rules, true, NOW)).toEqual({
      allowed: true,
      reason: 'loopback',
    });
    expect(decide(clientAddress('::1'), rules, true, NOW)).toEqual({ allowed: true, reason: 'loopback' });
    expect(decide(clientAddress('2001:db9::1'), rules, true, NOW)).toEqual({
      allowed: false,
      reason: 'enforce_default_deny',
    });
    expect(decide(clientAddress('127.0.0.1'), [rule('d', 'deny', '127.0.0.0/8')], true, NOW)).toMatchObject({
      allowed: false,
      reason: 'deny_rule',
    });
  });
});
