import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Store } from '../store/store.ts';
import { heldAppends } from '../store/held-appends.ts';
import { notifyAll, type Listener } from '../store/store-notifications.ts';
import type { TxHooks } from './state-writer.ts';

/**
 * Wake-ups between the processes sharing a store. Each payload is an execution id.
 * - `work`: runs became claimable (workers claim at once instead of at their next poll);
 * - `commands`: an execution has a stop request (the worker holding its runs stops them);
 * - `ended`: an execution reached a terminal state (whoever waits for it reads it);
 * - `logs`: lines of an execution were written (log followers read them).
 */
export const SIGNAL_TOPICS = ['work', 'commands', 'ended', 'logs'] as const;
export type SignalTopic = (typeof SIGNAL_TOPICS)[number];

/**
 * A signal is sent inside the transaction that makes it true: PostgreSQL delivers NOTIFY at commit
 * to every listening process, and this process hears it through an after-commit hook. SQLite has one
 * process, so the local event is all there is. Every listener also polls: a lost notification only
 * delays, never loses, work.
 */
export class EngineSignals {
  private readonly events = new EventEmitter().setMaxListeners(0);
  private readonly listeners: Listener[] = [];
  /** Signals of the transactions under way, sent when each commits. */
  private readonly pending = new WeakMap<TxHooks, Map<SignalTopic, Set<string>>>();
  /** Names this process on the notifications it sends (`<execution id> <sender>`), so it skips its own. */
  private readonly sender = randomUUID();

  constructor(private readonly store: Pick<Store, 'caps' | 'channel' | 'listen'>) {}

  /** Starts hearing other processes (PostgreSQL); a no-op on SQLite. */
  async listen(onError: (e: Error) => void): Promise<void> {
    if (!this.store.listen) return;
    for (const topic of SIGNAL_TOPICS) {
      this.listeners.push(
        await this.store.listen(
          topic,
          (payload) => {
            // This process's own notifications come back too: it told its listeners when it committed.
            const [id, sender] = payload.split(' ');
            if (id && sender !== this.sender) this.events.emit(topic, id);
          },
          onError,
        ),
      );
    }
  }

  /**
   * Sends `topic` for each payload when the transaction commits. The signals of a whole transaction
   * go out in one statement, written just before its commit.
   */
  send(tx: TxHooks, topic: SignalTopic, payloads: Iterable<string>): void {
    let pending = this.pending.get(tx);
    if (!pending) {
      const queued = new Map<SignalTopic, Set<string>>();
      pending = queued;
      this.pending.set(tx, queued);
      if (this.store.caps.listenNotify) {
        tx.beforeCommit(async (trx) => {
          const batches = [...queued].map(([t, ids]) => [this.store.channel(t), [...ids].map((id) => `${id} ${this.sender}`)] as const);
          const held = heldAppends(trx);
          if (held) held.notifications.push(...batches);
          else await notifyAll(trx, batches);
        }, 'notify');
      }
      tx.afterCommit(() => {
        for (const [t, ids] of queued) this.emit(t, ids);
      });
    }
    const ids = pending.get(topic) ?? new Set<string>();
    for (const payload of payloads) ids.add(payload);
    pending.set(topic, ids);
  }

  /**
   * Takes back the `topic` signals queued so far in this transaction (sent later ones still go): for
   * a claim that has just taken everything those signals announced, so nobody is woken to find nothing.
   */
  withdraw(tx: TxHooks, topic: SignalTopic): void {
    this.pending.get(tx)?.delete(topic);
  }

  /** Tells this process's listeners (for something that is already committed). */
  emit(topic: SignalTopic, payloads: Iterable<string>): void {
    for (const payload of payloads) this.events.emit(topic, payload);
  }

  on(topic: SignalTopic, listener: (payload: string) => void): () => void {
    this.events.on(topic, listener);
    return () => this.events.off(topic, listener);
  }

  async close(): Promise<void> {
    await Promise.all(this.listeners.splice(0).map((l) => l.close()));
  }
}
