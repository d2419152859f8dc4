import type { Agent, ChannelAccount, Contact, Conversation, Message } from '@parley/protocol';

export const HOUR = 60 * 60 * 1000;
export const DAY = 24 * HOUR;

export function conversationAt(
  channel: Conversation['channel'],
  lastInboundAt: number | null,
  overrides: Partial<Conversation> = {},
): Conversation {
  return {
    id: 'c1',
    channel,
    channelAccountId: 'a1',
    contactId: 'k1',
    status: 'open',
    assigneeId: null,
    teamId: null,
    labels: [],
    lastMessageAt: lastInboundAt ?? 0,
    preview: null,
    lastInboundAt,
    windowOpenUntil: lastInboundAt === null ? null : lastInboundAt + DAY,
    humanAgentUntil: lastInboundAt === null || channel === 'whatsapp' ? null : lastInboundAt + 7 * DAY,
    unreadCount: 0,
    waitingSince: null,
    firstResponseAt: null,
    resolvedAt: null,
    assignedAt: null,
    snoozedUntil: null,
    createdAt: 0,
    seq: 1,
    ...overrides,
  };
}

export function message(overrides: Partial<Message> = {}): Message {
  return {
    id: 'm1',
    conversationId: 'c1',
    clientId: null,
    externalId: null,
    direction: 'inbound',
    kind: 'text',
    text: null,
    authorAgentId: null,
    status: 'received',
    attachments: [],
    location: null,
    sharedContacts: [],
    replyTo: null,
    interactive: null,
    reactions: [],
    forwarded: 'no',
    template: null,
    humanAgentTag: false,
    error: null,
    editedAt: null,
    deletedAt: null,
    mentions: [],
    createdAt: 0,
    seq: 1,
    ...overrides,
  };
}

/** A contact named after its id in capitals, with no identities, note or merge. */
export function contact(id: string, overrides: Partial<Contact> = {}): Contact {
  return {
    id,
    name: id.toUpperCase(),
    avatarMediaId: null,
    phone: null,
    identities: [],
    mergedInto: null,
    possibleDuplicates: [],
    note: '',
    createdAt: 0,
    seq: 1,
    ...overrides,
  };
}

/** An agent in team t1, online, with room for five conversations. */
export function agent(id: string, overrides: Partial<Agent> = {}): Agent {
  return {
    id,
    email: `${id}@example.com`,
    name: id,
    role: 'agent',
    kind: 'person',
    presence: 'online',
    presenceAt: null,
    active: true,
    capacity: 5,
    teamIds: ['t1'],
    seq: 1,
    ...overrides,
  };
}

/** The WhatsApp account a1 (the one `conversationAt` uses), with the given name. */
export function account(name: string, overrides: Partial<ChannelAccount> = {}): ChannelAccount {
  return {
    id: 'a1',
    channel: 'whatsapp',
    externalId: '100000000000001',
    name,
    displayPhoneNumber: '+1 555 0100',
    humanAgentEnabled: false,
    seq: 1,
    ...overrides,
  };
}
