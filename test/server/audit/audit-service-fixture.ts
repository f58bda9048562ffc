/** An AuditService over a real SQLite database in a directory, without the HTTP layer. */
import { AuditService } from '../../../server/audit/audit.service.ts';
import { AuditStore } from '../../../server/audit/audit.store.ts';
import { openDatabase, type Db } from '../../../server/db/database.ts';
import { generateSigningKeyPair } from '../../../shared/node/crypto/signing.ts';

export const signingKey = generateSigningKeyPair();

export async function openAudit(
  dataDir: string,
  checkpointEvery = 1000,
  makeStore: (db: Db) => AuditStore = (db) => new AuditStore(db),
): Promise<{ db: Db; audit: AuditService }> {
  const db = await openDatabase(dataDir);
  const key = 'audit.shutdown';
  const audit = await AuditService.open({
    store: makeStore(db),
    signingSeed: signingKey.privateKey,
    signingPublicKey: signingKey.publicKey,
    origin: 'factory.test/audit',
    checkpointEvery,
    checkpointIntervalMs: 3_600_000,
    state: {
      get: async () =>
        (await db.selectFrom('server_state').select('value').where('key', '=', key).executeTakeFirst())
          ?.value,
      set: async (value) => {
        await db
          .insertInto('server_state')
          .values({ key, value })
          .onConflict((conflict) => conflict.column('key').doUpdateSet({ value }))
          .execute();
      },
    },
  });
  return { db, audit };
}
