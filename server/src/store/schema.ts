import type { Generated } from 'kysely';

/** Table types as stored. Times are integer milliseconds since the epoch. */
export type Database = {
  seq_counter: { id: number; value: number };
  agents: {
    id: string;
    email: string;
    name: string;
    role: string;
    presence: string;
    password_hash: string;
    created_at: number;
    seq: number;
  };
  sessions: {
    token_hash: string;
    agent_id: string;
    created_at: number;
    expires_at: number;
  };
  contacts: {
    id: string;
    name: string;
    avatar_url: string | null;
    phone: string | null;
    created_at: number;
    seq: number;
  };
  contact_identities: {
    channel: string;
    external_id: string;
    contact_id: string;
    created_at: number;
  };
  conversations: {
    id: string;
    channel: string;
    channel_account_id: string;
    contact_id: string;
    status: string;
    assignee_id: string | null;
    team_id: string | null;
    labels: string;
    last_message_at: number;
    last_message_preview: string;
    last_inbound_at: number | null;
    unread_count: number;
    created_at: number;
    seq: number;
  };
  messages: {
    id: string;
    conversation_id: string;
    channel: string;
    client_id: string | null;
    external_id: string | null;
    direction: string;
    kind: string;
    text: string | null;
    author_agent_id: string | null;
    status: string;
    created_at: number;
    received_at: number;
    raw: string | null;
    seq: number;
  };
  kysely_migration?: { name: string; timestamp: Generated<string> };
};
