/**
 * `/api/v1/machines`: activate (operator and up), list (own; all with machines:write),
 * deactivate (own, or an admin's). Each change commits with its audit entry in one
 * transaction; hardware hashes and keys never leave.
 */
import type { FastifyInstance } from 'fastify';
import { AuditEventType } from '../../shared/common/audit-event.ts';
import {
  activateMachineRequestSchema,
  machineIdSchema,
  SERVER_IDENTITY_PURPOSE,
  serverIdentityRequestSchema,
} from '../../shared/common/api/resources.ts';
import { canonicalJson } from '../../shared/common/canonical-json.ts';
import { ErrorCode } from '../../shared/common/errors.ts';
import { Permission } from '../../shared/common/roles.ts';
import { principalOf } from '../auth/auth.hook.ts';
import { generateX25519KeyPair, x25519SharedSecret } from '../../shared/node/crypto/x25519.ts';
import { ApiError } from '../errors.ts';
import type { MachinesService } from './machines.service.ts';

/**
 * Whether `publicKey` is a usable X25519 key: an all-zero or small-order point gives an
 * all-zero shared secret with every private key (RFC 7748 §6.1), so no envelope could
 * ever be opened. Checked by one agreement with a throwaway key.
 */
function usableX25519PublicKey(publicKey: Uint8Array): boolean {
  try {
    x25519SharedSecret(generateX25519KeyPair().privateKey, publicKey).fill(0);
    return true;
  } catch {
    return false;
  }
}

export function machinesRoutes(app: FastifyInstance, machines: MachinesService): void {
  app.post(
    '/api/v1/machines',
    // Open in a public demo: activation (and giving the seat back) is the first step
    // of the unlock path that a demo exists to show (docs/SERVER.md, Modes).
    { config: { permission: Permission.MachinesActivate, demoAllowed: true } },
    async (request, reply) => {
      const principal = principalOf(request);
      // Client input: validated; the hardware hash is stored, never echoed or logged.
      const input = activateMachineRequestSchema.parse(request.body);
      if (!usableX25519PublicKey(Buffer.from(input.public_key, 'base64'))) {
        throw new ApiError(
          ErrorCode.ValidationFailed,
          'public_key: not a usable X25519 public key (all-zero or of small order)',
        );
      }
      // The seat count, the insert and the entry share one write transaction: two
      // activations at once cannot both take the last seat.
      const { machine, reactivated } = await app.audit.transact(async (trx, append) => {
        const activated = await machines.in(trx).activate(principal.userId, {
          hwHash: input.hw_hash,
          publicKey: input.public_key,
          label: input.label,
        });
        append({
          type: AuditEventType.MachineActivate,
          actor: principal.email,
          resource: `machine/${activated.machine.id}`,
          ip: request.ip,
          request_id: request.id,
          details: { label: activated.machine.label, reactivated: activated.reactivated },
        });
        return activated;
      });
      return reply.code(reactivated ? 200 : 201).send({
        machine_id: machine.id,
        lease: machines.lease(machine, []),
        server_key: app.keys.signing.publicKey.toString('base64'),
        key_id: app.keys.signing.keyId,
      });
    },
  );

  app.get('/api/v1/machines', { config: { permission: Permission.MachinesRead } }, async (request) => {
    const principal = principalOf(request);
    const all = principal.permissions.has(Permission.MachinesWrite);
    return { machines: await machines.list(all ? null : principal.userId) };
  });

  app.delete(
    '/api/v1/machines/:id',
    // Open in a public demo: activation (and giving the seat back) is the first step
    // of the unlock path that a demo exists to show (docs/SERVER.md, Modes).
    { config: { permission: Permission.MachinesActivate, demoAllowed: true } },
    async (request, reply) => {
      const principal = principalOf(request);
      const id = machineIdSchema.parse((request.params as { id: string }).id);
      const machine = await machines.get(id);
      if (machine.user_id !== principal.userId && !principal.permissions.has(Permission.MachinesWrite)) {
        throw new ApiError(ErrorCode.Forbidden, 'this machine belongs to another account');
      }
      await app.audit.transact(async (trx, append) => {
        await machines.in(trx).revoke(id);
        append({
          type: AuditEventType.MachineRevoke,
          actor: principal.email,
          resource: `machine/${id}`,
          ip: request.ip,
          request_id: request.id,
          details: { label: machine.label, owner: machine.user_id },
        });
      });
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/v1/machines/server-identity',
    // A console that moved (the embedded factory's port, a new address) proves it still
    // talks to the server it was activated with: the signing key signs its fresh challenge.
    // Read-only: nothing is stored, so it is a GET with the challenge in the query.
    { config: { permission: Permission.MachinesActivate } },
    async (request) => {
      const input = serverIdentityRequestSchema.parse(request.query);
      const message = Buffer.from(
        canonicalJson({ purpose: SERVER_IDENTITY_PURPOSE, nonce: input.nonce }),
        'utf8',
      );
      return {
        server_key: app.keys.signing.publicKey.toString('base64'),
        key_id: app.keys.signing.keyId,
        signature: app.keys.signing.sign(message).toString('base64'),
      };
    },
  );
}
