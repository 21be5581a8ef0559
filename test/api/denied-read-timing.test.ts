import { afterEach, beforeEach, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids.ts';
import { createHarness, type Harness } from '../support/harness.ts';
import { describeEachDialect } from '../support/stores.ts';

const SAMPLES = 40;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * A read of someone else's execution is refused with the answer a missing id gets, and in the same
 * time: the denial's audit row (an fsync'd commit) is written after the answer, not before it.
 */
describeEachDialect('a denied read takes as long as a missing id', (dialect) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(dialect);
  });
  afterEach(async () => {
    await h.dispose();
  });

  it('answers both 404 in the same time, and still records every denial', async () => {
    await h.apply({ id: 'private', name: 'Private', tasks: [{ id: 'say', type: 'log', with: { message: 'hi' } }] });
    const owned = (await h.runToEnd('private')).id;
    expect((await h.api('POST', '/v1/admin/users', { username: 'oscar', password: 'oscar-password', role: 'member' })).status).toBe(201);
    const { token } = await h.auth.login('oscar', 'oscar-password');

    const time = async (id: string): Promise<number> => {
      const started = process.hrtime.bigint();
      const res = await h.app.inject({ method: 'GET', url: `/v1/executions/${id}`, headers: { authorization: `Bearer ${token}` } });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      expect(res.statusCode).toBe(404);
      expect(JSON.parse(res.body)).toMatchObject({ code: 'EXECUTION_NOT_FOUND' });
      return ms;
    };
    // warm both paths, then interleave so that load on the machine hits both alike
    await time(owned);
    await time(newId());
    const denied: number[] = [];
    const missing: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      denied.push(await time(owned));
      missing.push(await time(newId()));
      // let the deferred write of this denial run now, outside both measurements
      await h.app.deferredAudit.drain();
    }
    const [d, m] = [median(denied), median(missing)];
    expect(d, `denied ${d.toFixed(2)} ms, missing ${m.toFixed(2)} ms`).toBeLessThan(m * 1.5 + 1);

    const events = await h.store.db
      .selectFrom('audit_events')
      .select('id')
      .where('event_type', '=', 'ACCESS_DENIED')
      .where('execution_id', '=', owned)
      .execute();
    expect(events).toHaveLength(SAMPLES + 1);
  });
});
