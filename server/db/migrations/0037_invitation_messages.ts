import type { Kysely } from 'kysely';

/**
 * Invitations and reminders through the outbox (server/outbox): a message goes by e-mail or SMS
 * (`channel`); one holding an invitation link is `transient`, its body erased once sent or given
 * up. `invitations.reminded_at`: the last reminder, so a person gets one at most every N days.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('outbox')
    .addColumn('channel', 'text', (c) => c.notNull().defaultTo('email'))
    .execute();
  await db.schema
    .alterTable('outbox')
    .addColumn('transient', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('invitations').addColumn('reminded_at', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('invitations').dropColumn('reminded_at').execute();
  await db.schema.alterTable('outbox').dropColumn('transient').execute();
  await db.schema.alterTable('outbox').dropColumn('channel').execute();
}
