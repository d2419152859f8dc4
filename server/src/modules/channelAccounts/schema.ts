import { ChannelSchema, type Channel } from '@parley/protocol';
import { z } from 'zod';
import type { ChannelAccountInput } from './records.js';

/**
 * What an operator writes to configure a channel account, in the channels file and in the
 * admin API. Error messages name the field and what is wrong with it, never the value:
 * these fields hold secrets, and the messages end up in logs and HTTP answers.
 */

/** Meta's ids are digit strings too large for a JSON number (2^53 loses digits). */
const platformId = z
  .string({
    error: (issue) =>
      issue.input === undefined
        ? 'is missing'
        : typeof issue.input === 'number'
          ? 'must be written as a string in quotes: ids this long lose digits as JSON numbers'
          : 'must be a string of digits',
  })
  .trim()
  .regex(/^\d{1,32}$/, "must be digits only: the id shown in Meta's dashboard");

/** A token or secret typed by a person: pasted text often carries a trailing newline. */
export function secretString(what: string): z.ZodType<string> {
  return z
    .string({ error: (issue) => (issue.input === undefined ? `is missing: ${what}` : `must be a string: ${what}`) })
    .trim()
    .min(1, `is empty: ${what}`)
    .max(4096, 'is too long (over 4096 characters)');
}

export const SECRET_DESCRIPTIONS = {
  accessToken: 'the token Parley calls the Graph API with (a system-user or Page access token)',
  appSecret: 'the App Secret of the Meta app whose webhooks this account receives',
  verifyToken: "the verify token typed into the Meta app's webhook settings",
} as const;

export type SecretField = keyof typeof SECRET_DESCRIPTIONS;

const channel = z.enum(ChannelSchema.options, {
  error: (issue) => (issue.input === undefined ? 'is missing' : 'must be "whatsapp", "messenger" or "instagram"'),
});

const optionalFields = {
  name: z.string({ error: 'must be a string' }).trim().min(1, 'is empty').max(200, 'is too long').optional(),
  displayPhoneNumber: z
    .string({ error: 'must be a string or null' })
    .trim()
    .min(1, 'is empty')
    .max(32, 'is too long')
    .nullable()
    .optional(),
  wabaId: platformId.nullable().optional(),
  throughputPerSecond: z
    .number({ error: 'must be a number of messages per second' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(1000, 'must be at most 1000')
    .optional(),
  humanAgentEnabled: z.boolean({ error: 'must be true or false' }).optional(),
};

const entryShape = { channel, externalId: platformId, ...optionalFields };

/** The admin API's body for a new account. */
export const CreateChannelAccountSchema = z
  .strictObject({
    ...entryShape,
    accessToken: secretString(SECRET_DESCRIPTIONS.accessToken),
    appSecret: secretString(SECRET_DESCRIPTIONS.appSecret),
    verifyToken: secretString(SECRET_DESCRIPTIONS.verifyToken),
  })
  .superRefine((entry, context) => {
    for (const issue of channelFieldIssues(entry.channel, entry)) context.addIssue(issue);
  });

export type ChannelAccountEntry = z.infer<typeof CreateChannelAccountSchema>;

/** A secret in the channels file: the value, or `{ "env": "NAME" }` to keep it out of the file. */
export type FileSecret = string | { env: string };

function fileSecret(field: SecretField): z.ZodType<FileSecret> {
  return z.union(
    [
      secretString(SECRET_DESCRIPTIONS[field]),
      z.strictObject({
        env: z
          .string({ error: 'must be the name of an environment variable' })
          .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the name of an environment variable'),
      }),
    ],
    {
      error: (issue) =>
        issue.input === undefined
          ? `is missing: ${SECRET_DESCRIPTIONS[field]}`
          : 'must be a string, or {"env": "VARIABLE_NAME"} to read it from the environment',
    },
  );
}

/** One entry of the channels file, before its environment references are read. */
export const ChannelsFileEntrySchema = z
  .strictObject({
    ...entryShape,
    accessToken: fileSecret('accessToken'),
    appSecret: fileSecret('appSecret'),
    verifyToken: fileSecret('verifyToken'),
  })
  .superRefine((entry, context) => {
    for (const issue of channelFieldIssues(entry.channel, entry)) context.addIssue(issue);
  });

export type ChannelsFileEntry = z.infer<typeof ChannelsFileEntrySchema>;

/** The admin API's body for a change: any of the settings; the platform identity stays. */
export const UpdateChannelAccountSchema = z
  .strictObject({
    channel: z.never({ error: 'cannot be changed: create another account instead' }).optional(),
    externalId: z.never({ error: 'cannot be changed: create another account instead' }).optional(),
    accessToken: secretString(SECRET_DESCRIPTIONS.accessToken).optional(),
    appSecret: secretString(SECRET_DESCRIPTIONS.appSecret).optional(),
    verifyToken: secretString(SECRET_DESCRIPTIONS.verifyToken).optional(),
    ...optionalFields,
  })
  .refine((patch) => Object.values(patch).some((value) => value !== undefined), {
    message: 'Send at least one field to change.',
  });

export type ChannelAccountPatch = z.infer<typeof UpdateChannelAccountSchema>;

type FieldIssue = { code: 'custom'; path: string[]; message: string };

/** Settings that only make sense on some platforms: a typo'd channel should not pass silently. */
export function channelFieldIssues(
  accountChannel: Channel,
  fields: Pick<ChannelAccountPatch, 'displayPhoneNumber' | 'wabaId' | 'humanAgentEnabled'>,
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (accountChannel !== 'whatsapp') {
    for (const key of ['displayPhoneNumber', 'wabaId'] as const) {
      if (fields[key] !== undefined && fields[key] !== null) {
        issues.push({ code: 'custom', path: [key], message: 'only applies to WhatsApp accounts' });
      }
    }
  } else if (fields.humanAgentEnabled === true) {
    issues.push({
      code: 'custom',
      path: ['humanAgentEnabled'],
      message: 'only applies to Messenger and Instagram: WhatsApp has no human-agent window',
    });
  }
  return issues;
}

const DEFAULT_NAMES: Record<Channel, string> = {
  whatsapp: 'WhatsApp',
  messenger: 'Facebook Page',
  instagram: 'Instagram',
};

/** The store's input for a validated entry, with the defaults filled in. */
export function accountInput(entry: ChannelAccountEntry): ChannelAccountInput {
  return {
    channel: entry.channel,
    externalId: entry.externalId,
    name: entry.name ?? entry.displayPhoneNumber ?? `${DEFAULT_NAMES[entry.channel]} ${entry.externalId}`,
    displayPhoneNumber: entry.displayPhoneNumber ?? null,
    wabaId: entry.wabaId ?? null,
    accessToken: entry.accessToken,
    appSecret: entry.appSecret,
    verifyToken: entry.verifyToken,
    throughputPerSecond: entry.throughputPerSecond,
    humanAgentEnabled: entry.humanAgentEnabled ?? false,
  };
}

/** `a.b[2].c` from a zod path, for messages that name the field. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text;
}

/** One line per issue: `field: what is wrong`. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const where = fieldPath(issue.path);
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((key) => `"${key}"`).join(', ');
      return `${where === '' ? '' : `${where}: `}unknown field ${keys}`;
    }
    return where === '' ? issue.message : `${where}: ${issue.message}`;
  });
}
