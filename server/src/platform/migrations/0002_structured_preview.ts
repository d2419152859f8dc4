import { MessageDirectionSchema, MessageKindSchema } from '@parley/protocol';
import { sql, type Kysely, type Migration } from 'kysely';
import { z } from 'zod';
import { previewOf } from '../preview.js';

/** Lenient readers of stored JSON for backfills: what a preview needs, and nothing is refused. */
const BackfillAttachmentsSchema = z
  .array(z.looseObject({ voice: z.boolean().catch(false), fileName: z.string().nullable().catch(null) }))
  .catch([]);
const BackfillLocationSchema = z
  .looseObject({ name: z.string().nullable().catch(null), address: z.string().nullable().catch(null) })
  .catch({ name: null, address: null });
const BackfillContactsSchema = z.array(z.looseObject({ name: z.string().catch('') })).catch([]);

export const migration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    // The last message as data (a MessagePreview in JSON), beside the words stored until now.
    await db.schema.alterTable('conversations').addColumn('preview', 'text').execute();
    const rows = await sql<{
      conversation_id: string;
      kind: string;
      direction: string;
      text: string | null;
      attachments: string;
      location: string | null;
      shared_contacts: string;
      deleted_at: number | null;
    }>`select m.conversation_id, m.kind, m.direction, m.text, m.attachments, m.location, m.shared_contacts, m.deleted_at
       from messages m
       where m.id = (select latest.id from messages latest
                     where latest.conversation_id = m.conversation_id
                     order by latest.created_at desc, latest.id desc limit 1)`.execute(db);
    for (const row of rows.rows) {
      const preview = previewOf({
        kind: MessageKindSchema.catch('unsupported').parse(row.kind),
        direction: MessageDirectionSchema.catch('inbound').parse(row.direction),
        // What a deleted message said is not shown.
        text: row.deleted_at === null ? row.text : null,
        attachments: BackfillAttachmentsSchema.parse(JSON.parse(row.attachments)),
        location: row.location === null ? null : BackfillLocationSchema.parse(JSON.parse(row.location)),
        sharedContacts: BackfillContactsSchema.parse(JSON.parse(row.shared_contacts)),
        deleted: row.deleted_at !== null,
      });
      await sql`update conversations set preview = ${JSON.stringify(preview)} where id = ${row.conversation_id}`.execute(
        db,
      );
    }
  },
};
