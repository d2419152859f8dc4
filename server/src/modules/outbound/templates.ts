import { TemplateComponentSchema, refusal, type Failure, type TemplateComponent } from '@parley/protocol';
import { z } from 'zod';
import type { ChannelAccountRow } from '../channelAccounts/index.js';
import { newId } from '../../platform/ids.js';
import type { Store } from '../../platform/store.js';
import type { GraphClient } from './graph.js';

/**
 * WhatsApp message templates: synced from `GET /{waba-id}/message_templates` into Template
 * entities (stamped with a seq, so clients sync them), and turned into the `components` of
 * a `type: template` send.
 */

/** How often the approved list is fetched again while the server runs. */
export const TEMPLATE_SYNC_INTERVAL_MS = 15 * 60 * 1000;

/** Only these can be sent; the others are kept so an agent sees why one is missing. */
export const SENDABLE_TEMPLATE_STATUS = 'APPROVED';

const MetaButtonSchema = z
  .object({ type: z.string(), text: z.string().default(''), url: z.string().optional() })
  .loose();

const MetaComponentSchema = z
  .object({
    type: z.string(),
    format: z.string().optional(),
    text: z.string().optional(),
    buttons: z.array(MetaButtonSchema).optional(),
  })
  .loose();

const MetaTemplateSchema = z
  .object({
    name: z.string().min(1),
    language: z.string().min(1),
    status: z.string().min(1),
    category: z.string().default('UNKNOWN'),
    /** `NAMED` templates use {{first_name}} and send `parameter_name`s. */
    parameter_format: z.string().optional(),
    components: z.array(MetaComponentSchema).default([]),
  })
  .loose();

const TemplatesPageSchema = z.object({
  data: z.array(z.unknown()),
  paging: z
    .object({
      cursors: z.object({ after: z.string().optional() }).optional(),
      next: z.string().optional(),
    })
    .optional(),
});

/**
 * A component as stored: the protocol's shape plus what only the sender needs (which
 * placeholders, which URL buttons take a value). Clients never see the extras: the
 * protocol schema strips them when rows are read for sync.
 */
export const StoredTemplateComponentSchema = TemplateComponentSchema.extend({
  placeholders: z.array(z.string()).default([]),
  dynamicButtons: z.array(z.number().int().nonnegative()).default([]),
  named: z.boolean().default(false),
});
export type StoredTemplateComponent = z.infer<typeof StoredTemplateComponentSchema>;

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** The distinct placeholders of a text, in the order their values are sent. */
export function placeholdersOf(text: string | null | undefined): string[] {
  if (text === null || text === undefined) return [];
  const seen: string[] = [];
  for (const match of text.matchAll(PLACEHOLDER)) {
    const name = match[1] ?? '';
    if (!seen.includes(name)) seen.push(name);
  }
  // Positional {{1}} {{2}} go by number whatever order the text uses them in.
  if (seen.every((name) => /^\d+$/.test(name))) seen.sort((a, b) => Number(a) - Number(b));
  return seen;
}

const COMPONENT_TYPES = new Set(['HEADER', 'BODY', 'FOOTER', 'BUTTONS']);
const MEDIA_FORMATS = new Set(['IMAGE', 'VIDEO', 'DOCUMENT']);

export function componentsFromMeta(
  components: readonly z.infer<typeof MetaComponentSchema>[],
  named: boolean,
): StoredTemplateComponent[] {
  const stored: StoredTemplateComponent[] = [];
  for (const component of components) {
    const type = component.type.toUpperCase();
    // Carousels, limited-time offers and the like are not sendable from Parley yet.
    if (!COMPONENT_TYPES.has(type)) continue;
    const format = component.format?.toUpperCase() ?? null;
    const text = component.text ?? null;
    const buttons = (component.buttons ?? []).map((button) => ({ type: button.type, text: button.text }));
    const dynamicButtons = (component.buttons ?? []).flatMap((button, index) =>
      button.type.toUpperCase() === 'URL' && placeholdersOf(button.url).length > 0 ? [index] : [],
    );
    const placeholders = type === 'HEADER' || type === 'BODY' ? placeholdersOf(text) : [];
    // A media header takes one value too: the link to the image, video or document.
    const mediaHeader = type === 'HEADER' && format !== null && MEDIA_FORMATS.has(format);
    const parameterCount = mediaHeader ? 1 : type === 'BUTTONS' ? dynamicButtons.length : placeholders.length;
    stored.push({
      type: type as TemplateComponent['type'],
      format,
      text,
      parameterCount,
      buttons,
      placeholders,
      dynamicButtons,
      named,
    });
  }
  return stored;
}

export type TemplateSyncResult = { accountId: string; fetched: number; changed: number; removed: number };

/**
 * Fetches every page of the account's templates and upserts them; templates Meta no longer
 * lists are kept with status DELETED (clients cannot be told to forget a row).
 */
export async function syncAccountTemplates(
  store: Store,
  graph: GraphClient,
  account: ChannelAccountRow,
  signal?: AbortSignal,
): Promise<TemplateSyncResult> {
  if (account.waba_id === null) return { accountId: account.id, fetched: 0, changed: 0, removed: 0 };
  const fetched: z.infer<typeof MetaTemplateSchema>[] = [];
  let after: string | undefined;
  // Bounded: a Meta bug returning the same cursor forever must not spin the server.
  for (let page = 0; page < 100; page += 1) {
    const query: Record<string, string> = {
      fields: 'name,language,status,category,components,parameter_format',
      limit: '100',
    };
    if (after !== undefined) query.after = after;
    const body = await graph.request({
      method: 'GET',
      channel: 'whatsapp',
      token: account.access_token,
      path: [account.waba_id, 'message_templates'],
      query,
      schema: TemplatesPageSchema,
      signal,
    });
    for (const item of body.data) {
      const parsed = MetaTemplateSchema.safeParse(item);
      if (parsed.success) fetched.push(parsed.data);
    }
    // The cursor, not the `next` URL: following a URL from an answer could send the token elsewhere.
    const nextAfter = body.paging?.cursors?.after;
    if (body.paging?.next === undefined || nextAfter === undefined || nextAfter === after) break;
    after = nextAfter;
  }

  return store.write(async (trx, changes) => {
    const existing = await trx
      .selectFrom('templates')
      .selectAll()
      .where('channel_account_id', '=', account.id)
      .execute();
    const byKey = new Map(existing.map((row) => [`${row.name}\u0000${row.language}`, row]));
    const seen = new Set<string>();
    const now = Date.now();
    let changed = 0;
    for (const template of fetched) {
      const key = `${template.name}\u0000${template.language}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const named = template.parameter_format?.toUpperCase() === 'NAMED';
      const components = JSON.stringify(componentsFromMeta(template.components, named));
      const row = byKey.get(key);
      if (
        row !== undefined &&
        row.status === template.status &&
        row.category === template.category &&
        row.components === components
      ) {
        continue;
      }
      const id = row?.id ?? newId();
      const values = {
        id,
        channel_account_id: account.id,
        name: template.name,
        language: template.language,
        category: template.category,
        status: template.status,
        components,
        synced_at: now,
        seq: await changes.nextSeq('template', id),
      };
      if (row === undefined) await trx.insertInto('templates').values(values).execute();
      else await trx.updateTable('templates').set(values).where('id', '=', id).execute();
      changed += 1;
    }
    let removed = 0;
    for (const row of existing) {
      if (seen.has(`${row.name}\u0000${row.language}`) || row.status === 'DELETED') continue;
      await trx
        .updateTable('templates')
        .set({ status: 'DELETED', synced_at: now, seq: await changes.nextSeq('template', row.id) })
        .where('id', '=', row.id)
        .execute();
      removed += 1;
    }
    return { accountId: account.id, fetched: fetched.length, changed, removed };
  });
}

export type BuiltTemplate = {
  /** The `components` of WhatsApp's `template` object. */
  components: unknown[];
  /** What the customer reads, with the values filled in: the message's text in the thread. */
  text: string;
};

function fill(text: string, placeholders: readonly string[], values: readonly string[]): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    const index = placeholders.indexOf(name);
    return index < 0 ? whole : (values[index] ?? whole);
  });
}

/**
 * The send's components from the template's, taking the agent's values in order: header,
 * body, then each URL button that has a placeholder. Refuses a wrong number of values.
 */
export function buildTemplateComponents(
  components: readonly StoredTemplateComponent[],
  parameters: readonly string[],
): BuiltTemplate | Failure {
  const expected = components.reduce((sum, component) => sum + component.parameterCount, 0);
  if (parameters.length !== expected) {
    return refusal('bad_request', 'template_parameter_count', { expected, given: parameters.length });
  }
  const built: unknown[] = [];
  const lines: string[] = [];
  let next = 0;
  const take = (count: number): string[] => {
    const values = parameters.slice(next, next + count);
    next += count;
    return values;
  };
  for (const component of components) {
    const values = take(component.parameterCount);
    const textParameter = (value: string, index: number): Record<string, unknown> => ({
      type: 'text',
      text: value,
      ...(component.named ? { parameter_name: component.placeholders[index] } : {}),
    });
    switch (component.type) {
      case 'HEADER': {
        const format = component.format ?? 'TEXT';
        if (MEDIA_FORMATS.has(format)) {
          const link = values[0] ?? '';
          if (!/^https:\/\/\S+$/i.test(link)) {
            return refusal('bad_request', 'template_header_link', { format: format.toLowerCase() });
          }
          const kind = format.toLowerCase();
          built.push({ type: 'header', parameters: [{ type: kind, [kind]: { link } }] });
        } else {
          if (values.length > 0) built.push({ type: 'header', parameters: values.map(textParameter) });
          if (component.text !== null) lines.push(fill(component.text, component.placeholders, values));
        }
        break;
      }
      case 'BODY':
        if (values.length > 0) built.push({ type: 'body', parameters: values.map(textParameter) });
        if (component.text !== null) lines.push(fill(component.text, component.placeholders, values));
        break;
      case 'FOOTER':
        if (component.text !== null) lines.push(component.text);
        break;
      case 'BUTTONS':
        component.dynamicButtons.forEach((buttonIndex, index) => {
          built.push({
            type: 'button',
            sub_type: 'url',
            index: String(buttonIndex),
            parameters: [{ type: 'text', text: values[index] ?? '' }],
          });
        });
        break;
    }
  }
  return { components: built, text: lines.join('\n\n') };
}
