import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openEnvelope, sealEnvelope } from '../../../../shared/node/crypto/envelope.ts';
import { IntegrityError } from '../../../../shared/node/crypto/errors.ts';
import {
  generateX25519KeyPair,
  x25519PublicKeyOf,
  x25519SharedSecret,
} from '../../../../shared/node/crypto/x25519.ts';

describe('envelope (ephemeral X25519 → HKDF → AES-256-CBC + HMAC)', () => {
  const machine = generateX25519KeyPair();
  const payload = randomBytes(3 * 1024 + 32);
  const bound = { resourceId: 'res-9', machineId: 'machine-a' };
  const envelope = sealEnvelope({ recipientPublicKey: machine.publicKey, ...bound, payload });
  const open = (
    overrides: Partial<{
      recipientPrivateKey: Buffer;
      resourceId: string;
      machineId: string;
      envelope: Buffer;
    }>,
  ) => openEnvelope({ recipientPrivateKey: machine.privateKey, ...bound, envelope, ...overrides });

  it('round-trips for the machine, resource and key it was sealed for; each seal is fresh', () => {
    expect(open({}).equals(payload)).toBe(true);
    const again = sealEnvelope({ recipientPublicKey: machine.publicKey, ...bound, payload });
    expect(again.equals(envelope)).toBe(false);
    expect(again.subarray(0, 4).toString('latin1')).toBe('FCEV');
    expect(
      openEnvelope({ recipientPrivateKey: machine.privateKey, ...bound, envelope: again }).equals(payload),
    ).toBe(true);
    const empty = sealEnvelope({ recipientPublicKey: machine.publicKey, ...bound, payload: Buffer.alloc(0) });
    expect(openEnvelope({ recipientPrivateKey: machine.privateKey, ...bound, envelope: empty }).length).toBe(
      0,
    );
  });

  it('wrong machine id, resource id or key: IntegrityError', () => {
    expect(() => open({ machineId: 'machine-b' })).toThrow(IntegrityError);
    expect(() => open({ resourceId: 'res-10' })).toThrow(IntegrityError);
    // Ids are length-prefixed: moving a character between them changes the binding.
    expect(() => open({ resourceId: 'res-9m', machineId: 'achine-a' })).toThrow(IntegrityError);
    expect(() => open({ recipientPrivateKey: generateX25519KeyPair().privateKey })).toThrow(IntegrityError);
  });

  it('a flipped bit at every byte, truncation and extension: IntegrityError', () => {
    // A DEK-sized payload keeps the exhaustive flip fast (each open is an X25519 + HKDF).
    const short = sealEnvelope({
      recipientPublicKey: machine.publicKey,
      ...bound,
      payload: payload.subarray(0, 40),
    });
    expect(open({ envelope: short }).equals(payload.subarray(0, 40))).toBe(true);
    for (let position = 0; position < short.length; position++) {
      const damaged = Buffer.from(short);
      damaged[position] = damaged[position]! ^ (0x80 >> (position % 8));
      expect(() => open({ envelope: damaged }), `byte ${position}`).toThrow(IntegrityError);
    }
    for (const length of [0, 4, 5, 37, 53, 69, envelope.length - 32, envelope.length - 1]) {
      expect(() => open({ envelope: envelope.subarray(0, length) }), `length ${length}`).toThrow(
        IntegrityError,
      );
    }
    expect(() => open({ envelope: Buffer.concat([envelope, Buffer.alloc(16)]) })).toThrow(IntegrityError);
  });

  it('an ephemeral key of small order (all-zero shared secret) is rejected', () => {
    const damaged = Buffer.from(envelope);
    Buffer.alloc(32).copy(damaged, 5); // the public point 0
    expect(() => open({ envelope: damaged })).toThrow(IntegrityError);
    expect(() => sealEnvelope({ recipientPublicKey: Buffer.alloc(32), ...bound, payload })).toThrow(
      IntegrityError,
    );
  });
});

describe('x25519 helpers', () => {
  it('agree on the shared secret from both sides and derive the public key from the private one', () => {
    const a = generateX25519KeyPair();
    const b = generateX25519KeyPair();
    expect(a.publicKey.length).toBe(32);
    expect(a.privateKey.length).toBe(32);
    expect(x25519PublicKeyOf(a.privateKey).equals(a.publicKey)).toBe(true);
    expect(
      x25519SharedSecret(a.privateKey, b.publicKey).equals(x25519SharedSecret(b.privateKey, a.publicKey)),
    ).toBe(true);
    expect(() => x25519SharedSecret(a.privateKey, Buffer.alloc(31))).toThrow(IntegrityError);
    expect(() => x25519SharedSecret(Buffer.alloc(31), a.publicKey)).toThrow(RangeError);
  });
});
