/** The business services, built once per app and shared by the route plugins. */
import type { Db } from './db/database.ts';
import { AccessTokenService } from './auth/access-token.ts';
import { LoginThrottle } from './auth/login-throttle.ts';
import { SessionService } from './auth/session.service.ts';
import { ApiKeysService } from './api-keys/api-keys.service.ts';
import { UsersService } from './users/users.service.ts';

export interface Services {
  users: UsersService;
  sessions: SessionService;
  tokens: AccessTokenService;
  throttle: LoginThrottle;
  apiKeys: ApiKeysService;
}

export async function createServices(db: Db, jwtKey: Uint8Array, scryptLog2N: number): Promise<Services> {
  return {
    users: new UsersService(db, scryptLog2N),
    sessions: new SessionService(db),
    tokens: await AccessTokenService.create(jwtKey),
    throttle: new LoginThrottle(db),
    apiKeys: new ApiKeysService(db),
  };
}
