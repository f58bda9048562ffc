/**
 * `/api/v1/firewall/…`: rules (read: firewall:read; change: firewall:write, admin and
 * up; every change audited), rate-limit tiers, and recent refusals for the console.
 * Trust boundary: bodies and params are validated with the shared zod schemas; CIDR
 * text is parsed strictly (ip-cidr.ts) and stored in canonical form.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  createFirewallRuleRequestSchema,
  firewallRuleIdParamsSchema,
  rateLimitsSchema,
  updateFirewallRuleRequestSchema,
} from '../../shared/common/api/firewall.ts';
import { ErrorCode } from '../../shared/common/errors.ts';
import { Permission } from '../../shared/common/roles.ts';
import { principalOf } from '../auth/auth.hook.ts';
import { ApiError } from '../errors.ts';
import type { FirewallActor } from './firewall.service.ts';
import { AddressError } from './ip-cidr.ts';

function actorOf(request: FastifyRequest): FirewallActor {
  return { actor: principalOf(request).email, ip: request.ip, requestId: request.id };
}

/** Bad CIDR text is the client's mistake: 400 with the parser's explanation. */
async function validated<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AddressError)
      throw new ApiError(ErrorCode.ValidationFailed, `cidr: ${error.message}`);
    throw error;
  }
}

export function firewallRoutes(app: FastifyInstance): void {
  const { firewall } = app;
  const read = { config: { permission: Permission.FirewallRead } };
  const write = { config: { permission: Permission.FirewallWrite } };

  app.get('/api/v1/firewall/rules', read, async () => ({
    enforce: firewall.enforce,
    rules: await firewall.listRules(),
  }));

  app.post('/api/v1/firewall/rules', write, async (request, reply) => {
    const input = createFirewallRuleRequestSchema.parse(request.body);
    const rule = await validated(() => firewall.createRule(input, actorOf(request)));
    return reply.code(201).send(rule);
  });

  app.patch('/api/v1/firewall/rules/:id', write, async (request) => {
    const { id } = firewallRuleIdParamsSchema.parse(request.params);
    const input = updateFirewallRuleRequestSchema.parse(request.body);
    const rule = await validated(() => firewall.updateRule(id, input, actorOf(request)));
    if (!rule) throw new ApiError(ErrorCode.NotFound, 'no such rule');
    return rule;
  });

  app.delete('/api/v1/firewall/rules/:id', write, async (request, reply) => {
    const { id } = firewallRuleIdParamsSchema.parse(request.params);
    if (!(await firewall.deleteRule(id, actorOf(request))))
      throw new ApiError(ErrorCode.NotFound, 'no such rule');
    return reply.code(204).send();
  });

  app.get('/api/v1/firewall/limits', read, async () => firewall.getLimits());

  app.put('/api/v1/firewall/limits', write, async (request) =>
    firewall.setLimits(rateLimitsSchema.parse(request.body), actorOf(request)),
  );

  app.get('/api/v1/firewall/blocks', read, async () => ({ blocks: firewall.blocks.list() }));
}
