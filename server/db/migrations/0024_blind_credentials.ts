import type { Kysely } from 'kysely';

/**
 * Two-step anonymous submission (RFC 9474 blind RSA signatures): a link buys one credential signed
 * blindly with its campaign and category's key, and the ballot is stored against the credential,
 * never against the link. `credential_keys` holds each key pair (the private key in the database:
 * whoever can write the database can already store responses); `spent_links.blinded_hash` lets a
 * retried purchase with the same blinded message get the same signature again.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('credential_keys')
    .addColumn('campaign_id', 'text', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('category', 'text', (c) => c.notNull())
    /** SPKI, base64 */
    .addColumn('public_key', 'text', (c) => c.notNull())
    /** PKCS #8, base64 */
    .addColumn('private_key', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('credential_keys_pk', ['campaign_id', 'category'])
    .execute();
  await db.schema.alterTable('spent_links').addColumn('blinded_hash', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('spent_links').dropColumn('blinded_hash').execute();
  await db.schema.dropTable('credential_keys').execute();
}
