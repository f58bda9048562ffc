/**
 * Client addresses and CIDR blocks for the firewall: parsing, normalising and
 * matching IPv4 and IPv6. Parsing is ipaddr.js (MIT, already what Fastify's
 * proxy-addr uses); the policy is ours:
 *
 * - An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`, what a dual-stack socket reports
 *   for an IPv4 client) *is* the IPv4 address: rules and buckets see `a.b.c.d`.
 *   A mapped CIDR (`::ffff:10.0.0.0/104`) is the IPv4 block `10.0.0.0/8`.
 * - IPv4 text must be four decimal parts: `10.1` or `0x7f.1` are refused, because
 *   classful and hex spellings make rules say something other than they look.
 * - Rate-limit buckets group IPv6 clients by /64: one host usually owns a whole /64,
 *   and per-address buckets would let it rotate addresses for free.
 */
import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** A parsed CIDR block, normalised to its network address. */
export interface Cidr {
  family: 4 | 6;
  /** Network address as a big integer (host bits zero). */
  network: bigint;
  prefix: number;
  /** Canonical text: `10.0.0.0/8`, `2001:db8::/32`. */
  text: string;
}

/** Thrown for text that is not an address or a CIDR block; the message says what is wrong. */
export class AddressError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AddressError';
  }
}

function toBigInt(bytes: number[]): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

/** Parses one address strictly and unmaps IPv4-mapped IPv6. */
export function parseAddress(text: string): Address {
  const trimmed = text.trim();
  if (ipaddr.IPv4.isValidFourPartDecimal(trimmed)) return ipaddr.IPv4.parse(trimmed);
  if (!trimmed.includes(':') || !ipaddr.IPv6.isValid(trimmed) || trimmed.includes('%')) {
    throw new AddressError(`not an IPv4 or IPv6 address: ${JSON.stringify(text.slice(0, 64))}`);
  }
  const address = ipaddr.IPv6.parse(trimmed);
  return address.isIPv4MappedAddress() ? address.toIPv4Address() : address;
}

/** Canonical text of a client address (IPv6 per RFC 5952, mapped IPv4 unmapped). */
export function normaliseAddress(text: string): string {
  const address = parseAddress(text);
  return address.kind() === 'ipv4' ? address.toString() : (address as ipaddr.IPv6).toRFC5952String();
}

/** Parses `a.b.c.d/n`, `x::/n`, or a bare address (a /32 or /128); host bits must be zero. */
export function parseCidr(text: string): Cidr {
  const [addressText, prefixText, extra] = text.trim().split('/');
  if (addressText === undefined || extra !== undefined) throw new AddressError(`not a CIDR block: ${text}`);
  const raw = ((): Address => {
    const plain = addressText.trim();
    if (ipaddr.IPv4.isValidFourPartDecimal(plain)) return ipaddr.IPv4.parse(plain);
    if (plain.includes(':') && ipaddr.IPv6.isValid(plain) && !plain.includes('%'))
      return ipaddr.IPv6.parse(plain);
    throw new AddressError(`not an IPv4 or IPv6 address: ${JSON.stringify(plain.slice(0, 64))}`);
  })();
  const width = raw.kind() === 'ipv4' ? 32 : 128;
  if (prefixText !== undefined && !/^(0|[1-9][0-9]{0,2})$/.test(prefixText)) {
    throw new AddressError(`bad prefix length in ${text}`);
  }
  let prefix = prefixText === undefined ? width : Number(prefixText);
  if (prefix > width) throw new AddressError(`prefix /${prefix} is longer than ${width} bits`);
  let address: Address = raw;
  if (raw.kind() === 'ipv6' && (raw as ipaddr.IPv6).isIPv4MappedAddress() && prefix >= 96) {
    address = (raw as ipaddr.IPv6).toIPv4Address();
    prefix -= 96;
  }
  const family = address.kind() === 'ipv4' ? 4 : 6;
  const bits = family === 4 ? 32n : 128n;
  const value = toBigInt(address.toByteArray());
  const hostMask = (1n << (bits - BigInt(prefix))) - 1n;
  if ((value & hostMask) !== 0n) {
    throw new AddressError(
      `${text} has host bits set: did you mean ${formatCidr(family, value & ~hostMask, prefix)}?`,
    );
  }
  return { family, network: value, prefix, text: formatCidr(family, value, prefix) };
}

function formatCidr(family: 4 | 6, network: bigint, prefix: number): string {
  const length = family === 4 ? 4 : 16;
  const bytes: number[] = [];
  for (let index = length - 1; index >= 0; index -= 1)
    bytes.push(Number((network >> BigInt(index * 8)) & 0xffn));
  const address = ipaddr.fromByteArray(bytes);
  const text = address.kind() === 'ipv4' ? address.toString() : (address as ipaddr.IPv6).toRFC5952String();
  return `${text}/${prefix}`;
}

/** A client address ready for matching against many blocks. */
export interface ClientAddress {
  family: 4 | 6;
  value: bigint;
  /** Canonical text (for logs and the blocks list). */
  text: string;
  /** The rate-limit bucket key: the IPv4 address, or the IPv6 /64. */
  bucketKey: string;
}

/** Parses a client address once per request. */
export function clientAddress(text: string): ClientAddress {
  const address = parseAddress(text);
  const family = address.kind() === 'ipv4' ? 4 : 6;
  const value = toBigInt(address.toByteArray());
  const canonical = family === 4 ? address.toString() : (address as ipaddr.IPv6).toRFC5952String();
  const bucketKey = family === 4 ? canonical : formatCidr(6, (value >> 64n) << 64n, 64);
  return { family, value, text: canonical, bucketKey };
}

/** Whether a block contains an address. */
export function cidrContains(cidr: Cidr, client: ClientAddress): boolean {
  if (cidr.family !== client.family) return false;
  const bits = cidr.family === 4 ? 32n : 128n;
  return client.value >> (bits - BigInt(cidr.prefix)) === cidr.network >> (bits - BigInt(cidr.prefix));
}

/** Whether an address is loopback (127.0.0.0/8 or ::1), which enforce mode always lets in. */
export function isLoopback(client: ClientAddress): boolean {
  return client.family === 4 ? client.value >> 24n === 127n : client.value === 1n;
}
