import type { Kysely, Selectable } from 'kysely';
import type { OutboxMessage, OutboxState } from '../contracts.js';
import type { Database, OutboxTable } from '../db/schema.js';
import { newId } from '../shared/ids.js';

export type { OutboxMessage, OutboxState };

/** A message to queue, written in the transaction of the event it tells of. */
export interface NewMessage {
  /** one message per event (e.g. the notification's key): queuing it again does nothing */
  dedupeKey: string;
  recipient: string;
  subject: string;
  body: string;
  /** e-mail (the default) or SMS */
  channel?: 'email' | 'sms';
  /** the body holds an invitation link: erased once sent or given up */
  transient?: boolean;
  /** the campaign an invitation or reminder is about: purged with it, dropped once it has closed */
  campaignId?: string;
}

/** What a transient message's body becomes once it is no longer needed. */
export const ERASED_BODY = '';

/** Why a message of a closed campaign was dropped instead of sent. */
export const CANCELLED_REASON = '评议活动已截止，不再发送';

function toMessage(row: Selectable<OutboxTable>, now: string): OutboxMessage {
  const claimed = row.state === 'pending' && row.claimed_until !== null && row.claimed_until > now;
  return {
    id: row.id,
    dedupeKey: row.dedupe_key,
    channel: row.channel === 'sms' ? 'sms' : 'email',
    recipient: row.recipient,
    subject: row.subject,
    body: row.body,
    createdAt: row.created_at,
    state: claimed ? 'sending' : (row.state as OutboxState),
    attempts: Number(row.attempts),
    nextAttemptAt: row.next_attempt_at,
    sentAt: row.sent_at,
    lastError: row.last_error,
    campaignId: row.campaign_id,
  };
}

/**
 * The one owner of `outbox`. A message is `pending` until a sender marks it `sent`, or `failed`
 * after its last attempt, or `cancelled` when its campaign closed first. A sender claims due messages for a while (claimed_by, claimed_until):
 * every change is one conditional UPDATE, so on SQLite and PostgreSQL alike two senders never
 * hold the same message (PostgreSQL re-checks the WHERE on a row another transaction changed).
 * Times are ISO-8601 UTC text, which orders as the instants do.
 */
export function outboxRepository(db: Kysely<Database>) {
  return {
    /** Queue a message unless one with its key exists: its id, or undefined when it was queued already. */
    async enqueue(message: NewMessage, at: string): Promise<string | undefined> {
      const row = await db
        .insertInto('outbox')
        .values({
          id: newId(),
          dedupe_key: message.dedupeKey,
          recipient: message.recipient,
          subject: message.subject,
          body: message.body,
          created_at: at,
          state: 'pending',
          attempts: 0,
          next_attempt_at: at,
          claimed_by: null,
          claimed_until: null,
          sent_at: null,
          last_error: null,
          channel: message.channel ?? 'email',
          transient: message.transient ? 1 : 0,
          campaign_id: message.campaignId ?? null,
        })
        .onConflict((oc) => oc.column('dedupe_key').doNothing())
        .returning('id')
        .executeTakeFirst();
      return row?.id;
    },

    /** Claim up to `limit` due messages of `channels` for `holder` until `until`; the ones this call got, oldest first. */
    async claim(holder: string, now: string, until: string, limit: number, channels: readonly string[] = ['email']) {
      if (!channels.length) return [];
      const rows = await db
        .updateTable('outbox')
        .set({ claimed_by: holder, claimed_until: until })
        .where('id', 'in', (eb) =>
          eb
            .selectFrom('outbox')
            .select('id')
            .where('state', '=', 'pending')
            .where('channel', 'in', channels)
            .where('next_attempt_at', '<=', now)
            .where((w) => w.or([w('claimed_until', 'is', null), w('claimed_until', '<', now)]))
            .orderBy('next_attempt_at')
            .orderBy('id')
            .limit(limit),
        )
        // checked again on the row itself: a row another sender claimed meanwhile no longer matches
        .where('state', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
        .returningAll()
        .execute();
      return rows
        .sort((a, b) => a.next_attempt_at.localeCompare(b.next_attempt_at) || a.id.localeCompare(b.id))
        .map((r) => toMessage(r, ''));
    },

    /** The server took it (250): sent, whoever holds the claim now; a link in it is erased. */
    markSent: (id: string, at: string) =>
      db
        .updateTable('outbox')
        .set((eb) => ({
          state: 'sent',
          sent_at: at,
          claimed_by: null,
          claimed_until: null,
          last_error: null,
          body: eb.case().when('transient', '=', 1).then(ERASED_BODY).else(eb.ref('body')).end(),
        }))
        .where('id', '=', id)
        .where('state', '=', 'pending')
        .returning('id')
        .executeTakeFirst(),

    /** Its campaign has closed: dropped unsent (`cancelled`), its body erased, never tried again. */
    markCancelled: (id: string, holder: string) =>
      db
        .updateTable('outbox')
        .set({
          state: 'cancelled',
          body: ERASED_BODY,
          last_error: CANCELLED_REASON,
          claimed_by: null,
          claimed_until: null,
        })
        .where('id', '=', id)
        .where('state', '=', 'pending')
        .where('claimed_by', '=', holder)
        .returning('id')
        .executeTakeFirst(),

    /** A purge: delete the campaign's messages (addresses, names, units); `dryRun` only counts them. */
    async purgeCampaign(campaignId: string, dryRun: boolean): Promise<number> {
      if (dryRun)
        return Number(
          (
            await db
              .selectFrom('outbox')
              .select((eb) => eb.fn.countAll().as('n'))
              .where('campaign_id', '=', campaignId)
              .executeTakeFirstOrThrow()
          ).n,
        );
      const result = await db.deleteFrom('outbox').where('campaign_id', '=', campaignId).executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    /** An attempt failed: try again at `retryAt`, or give up (`failed`) when it was the last. */
    markAttemptFailed: (id: string, holder: string, error: string, retryAt: string | null) =>
      db
        .updateTable('outbox')
        .set((eb) => ({
          attempts: eb('attempts', '+', 1),
          last_error: error.slice(0, 2000),
          claimed_by: null,
          claimed_until: null,
          ...(retryAt === null
            ? // given up: a link in it is erased (the office reissues the person's link instead)
              {
                state: 'failed',
                body: eb.case().when('transient', '=', 1).then(ERASED_BODY).else(eb.ref('body')).end(),
              }
            : { next_attempt_at: retryAt }),
        }))
        .where('id', '=', id)
        .where('state', '=', 'pending')
        .where('claimed_by', '=', holder)
        .returning('id')
        .executeTakeFirst(),

    /** The office asks for another go: a failed or waiting message is due now, its attempts counted afresh. */
    retry: (id: string, now: string) =>
      db
        .updateTable('outbox')
        .set({ state: 'pending', attempts: 0, next_attempt_at: now, claimed_by: null, claimed_until: null })
        .where('id', '=', id)
        .where('state', 'in', ['pending', 'failed'])
        // an erased invitation has nothing left to send
        .where((eb) => eb.or([eb('transient', '=', 0), eb('body', '!=', ERASED_BODY)]))
        .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
        .returning('id')
        .executeTakeFirst(),

    async find(id: string, now: string): Promise<OutboxMessage | undefined> {
      const row = await db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toMessage(row, now);
    },

    async list(filter: { state?: 'pending' | 'sent' | 'failed' | 'cancelled'; limit: number }, now: string) {
      let q = db.selectFrom('outbox').selectAll();
      if (filter.state) q = q.where('state', '=', filter.state);
      const rows = await q.orderBy('created_at', 'desc').orderBy('id').limit(filter.limit).execute();
      return rows.map((r) => toMessage(r, now));
    },

    async counts(): Promise<Record<'pending' | 'sent' | 'failed' | 'cancelled', number>> {
      const rows = await db
        .selectFrom('outbox')
        .select(['state', (eb) => eb.fn.countAll().as('n')])
        .groupBy('state')
        .execute();
      const counts = { pending: 0, sent: 0, failed: 0, cancelled: 0 };
      for (const r of rows) if (r.state in counts) counts[r.state as keyof typeof counts] = Number(r.n);
      return counts;
    },
  };
}

export type OutboxRepository = ReturnType<typeof outboxRepository>;
