import { describe, expect, it } from 'vitest';
import {
  AddressError,
  cidrContains,
  clientAddress,
  isLoopback,
  normaliseAddress,
  parseCidr,
} from '../../../server/firewall/ip-cidr.ts';

const inside = (cidr: string, address: string) => cidrContains(parseCidr(cidr), clientAddress(address));

describe('CIDR parsing and matching', () => {
  it('matches the first and last address of IPv4 blocks and nothing just outside', () => {
    expect(inside('10.1.2.0/24', '10.1.2.0')).toBe(true);
    expect(inside('10.1.2.0/24', '10.1.2.255')).toBe(true);
    expect(inside('10.1.2.0/24', '10.1.1.255')).toBe(false);
    expect(inside('10.1.2.0/24', '10.1.3.0')).toBe(false);
    expect(inside('192.168.0.0/31', '192.168.0.1')).toBe(true);
    expect(inside('192.168.0.0/31', '192.168.0.2')).toBe(false);
    expect(inside('203.0.113.7/32', '203.0.113.7')).toBe(true);
    expect(inside('203.0.113.7', '203.0.113.8')).toBe(false);
    expect(inside('0.0.0.0/0', '255.255.255.255')).toBe(true);
  });

  it('matches the first and last address of IPv6 blocks', () => {
    expect(inside('2001:db8::/32', '2001:db8::')).toBe(true);
    expect(inside('2001:db8::/32', '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff')).toBe(true);
    expect(inside('2001:db8::/32', '2001:db9::')).toBe(false);
    expect(inside('2001:db8::/32', '2001:db7:ffff:ffff:ffff:ffff:ffff:ffff')).toBe(false);
    expect(inside('::/0', 'ffff::1')).toBe(true);
    expect(inside('::/0', '10.0.0.1')).toBe(false);
    expect(inside('0.0.0.0/0', '::1')).toBe(false);
  });

  it('treats ::ffff:a.b.c.d as a.b.c.d, for addresses and for blocks', () => {
    expect(normaliseAddress('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(normaliseAddress('::FFFF:0a00:0001')).toBe('10.0.0.1');
    expect(inside('10.0.0.0/8', '::ffff:10.200.3.4')).toBe(true);
    expect(parseCidr('::ffff:10.0.0.0/104').text).toBe('10.0.0.0/8');
    expect(inside('::ffff:10.0.0.0/104', '10.9.9.9')).toBe(true);
    expect(clientAddress('::ffff:192.0.2.1').bucketKey).toBe(clientAddress('192.0.2.1').bucketKey);
  });

  it('groups IPv6 clients by /64 for rate limiting and keeps IPv4 clients apart', () => {
    expect(clientAddress('2001:db8:1:2::1').bucketKey).toBe('2001:db8:1:2::/64');
    expect(clientAddress('2001:db8:1:2:ffff:ffff:ffff:ffff').bucketKey).toBe('2001:db8:1:2::/64');
    expect(clientAddress('2001:db8:1:3::1').bucketKey).not.toBe(clientAddress('2001:db8:1:2::1').bucketKey);
    expect(clientAddress('10.0.0.1').bucketKey).not.toBe(clientAddress('10.0.0.2').bucketKey);
  });

  it('normalises block text and refuses ambiguous or wrong input with a clear error', () => {
    expect(parseCidr('2001:0DB8:0000::/48').text).toBe('2001:db8::/48');
    expect(parseCidr(' 10.0.0.0/8 ').text).toBe('10.0.0.0/8');
    expect(() => parseCidr('10.0.0.1/8')).toThrow(/host bits.*10\.0\.0\.0\/8/);
    for (const bad of [
      '10.1',
      '0x7f.0.0.1',
      '10.0.0.0/33',
      '2001:db8::/129',
      '10.0.0.0/08',
      'fe80::1%eth0',
      'host',
      '',
      '10.0.0.0/8/1',
      '1.2.3.4/-1',
    ]) {
      expect(() => parseCidr(bad), bad).toThrow(AddressError);
    }
    expect(() => clientAddress('not-an-ip')).toThrow(AddressError);
  });

  it('knows loopback', () => {
    expect(isLoopback(clientAddress('127.0.0.1'))).toBe(true);
    expect(isLoopback(clientAddress('127.255.0.9'))).toBe(true);
    expect(isLoopback(clientAddress('::1'))).toBe(true);
    expect(isLoopback(clientAddress('::ffff:127.0.0.1'))).toBe(true);
    expect(isLoopback(clientAddress('128.0.0.1'))).toBe(false);
    expect(isLoopback(clientAddress('::2'))).toBe(false);
  });
});
