/** Helpers for the audit API tests: an admin session, an `audit:append` API key. */
import type { FastifyInstance } from 'fastify';
import { ADMIN_EMAIL, bearer, DEV_PASSWORD, login, type Session } from '../helpers.ts';

export async function adminSession(app: FastifyInstance): Promise<Session> {
  return login(app, ADMIN_EMAIL, DEV_PASSWORD);
}

export async function apiKeyWith(app: FastifyInstance, admin: Session, scopes: string[]): Promise<string> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/v1/api-keys',
    headers: bearer(admin.access_token),
    payload: { name: `svc-${scopes.join('-')}`, scopes },
  });
  if (response.statusCode !== 201) throw new Error(`api key: ${response.statusCode} ${response.body}`);
  return (response.json() as { key: string }).key;
}

/** A valid agent_handoff body; `n` makes each one distinct. */
export function handoff(n: number) {
  return {
    type: 'agent_handoff',
    resource: `pipeline/run-${n % 5}`,
    details: {
      from_agent: `planner-${n % 3}`,
      to_agent: 'coder',
      reason: `step ${n} done`,
      output_sha256: n.toString(16).padStart(64, '0'),
    },
  };
}
