/**
 * The save dialog call: the desktop app answers with the chosen path (or null when
 * cancelled); browser mode has no dialog and says so, so the views keep their path field.
 */
import { describe, expect, it } from 'vitest';
import { AppService } from '../../../../electron/core/app/app.service.ts';
import { FactoryConnection } from '../../../../electron/core/factory-api/factory-connection.ts';

function service(chooseSavePath?: ConstructorParameters<typeof AppService>[0]['chooseSavePath']) {
  return new AppService({
    name: 'Factory Console',
    version: '0.0.0-test',
    shell: chooseSavePath ? 'electron' : 'browser',
    connection: new FactoryConnection({
      startEmbedded: async () => {
        throw new Error('not in this test');
      },
      trust: { pinFor: () => undefined },
    }),
    externalHosts: [],
    ...(chooseSavePath ? { chooseSavePath } : {}),
  });
}

describe('app.chooseSavePath', () => {
  it('answers the path chosen in the native dialog, or null when cancelled', async () => {
    const asked: unknown[] = [];
    let answer: string | null = '/home/op/Downloads/sample-model.bin';
    const app = service(async (input) => {
      asked.push(input);
      return answer;
    });
    const input = { suggestedName: 'sample-model.bin', purpose: 'resource' as const };
    expect(await app.chooseSavePath(input)).toEqual({ path: '/home/op/Downloads/sample-model.bin' });
    answer = null;
    expect(await app.chooseSavePath(input)).toEqual({ path: null });
    expect(asked).toEqual([input, input]);
  });

  it('is unavailable in browser mode, with what to do instead', async () => {
    await expect(
      service().chooseSavePath({ suggestedName: 'a.jsonl', purpose: 'audit' }),
    ).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringContaining('type an absolute path'),
    });
  });
});
