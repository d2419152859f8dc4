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
    kind: Generated<string>;
    active: Generated<number>;
    capacity: Generated<number>;
    presence_at: number | null;
    deactivated_at: number | null;
  };
  sessions: {
    /** The hash of the current access token; it changes at each refresh. */
    token_hash: string;
    agent_id: string;
    created_at: number;
    /** When the access token expires. */
    expires_at: number;
    refresh_hash: string | null;
    refresh_expires_at: number | null;
    revoked_at: number | null;
    last_used_at: number | null;
    client: string | null;
  };
  login_attempts: { key: string; failures: number; last_failure_at: number; locked_until: number | null };
  teams: {
    id: string;
    name: string;
    auto_assign: number;
    offline_grace_minutes: number;
    first_response_target_seconds: number;
    waiting_target_seconds: number;
    /** RoutingRule[] as JSON. */
    rules: string;
    created_at: number;
    seq: number;
  };
  team_members: { team_id: string; agent_id: string };
  team_inboxes: { channel_account_id: string; team_id: string };
  access_changes: { agent_id: string; conversation_id: string; visible: number; seq: number };
  api_tokens: {
    id: string;
    agent_id: string;
    name: string;
    token_hash: string;
    created_by: string;
    created_at: number;
    last_used_at: number | null;
    revoked_at: number | null;
  };
  settings: { key: string; value: string };
  channel_accounts: {
    id: string;
    channel: string;
    external_id: string;
    name: string;
    display_phone_number: string | null;
    waba_id: string | null;
    access_token: string;
    app_secret: string;
    verify_token: string;
    throughput_per_second: number;
    human_agent_enabled: number;
    created_at: number;
    seq: number;
  };
  contacts: {
    id: string;
    name: string;
    avatar_media_id: string | null;
    phone: string | null;
    merged_into: string | null;
    profile_fetched_at: number | null;
    created_at: number;
    seq: number;
    /** What agents wrote about the customer; '' when nothing. */
    note: Generated<string>;
  };
  contact_identities: {
    channel: string;
    kind: string;
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
    /** @deprecated The text of the last message, or ''; `preview` is what it is. */
    last_message_preview: string;
    /** The last message as a MessagePreview (JSON); null for a conversation without messages. */
    preview: string | null;
    last_inbound_at: number | null;
    window_open_until: number | null;
    human_agent_until: number | null;
    unread_count: number;
    created_at: number;
    seq: number;
    waiting_since: number | null;
    first_response_at: number | null;
    resolved_at: number | null;
    assigned_at: number | null;
    /** While snoozed: when it comes back as open. */
    snoozed_until: number | null;
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
    /** JSON columns hold the protocol's shapes; rows.ts parses them with its schemas. */
    attachments: string;
    location: string | null;
    shared_contacts: string;
    reply_to: string | null;
    interactive: string | null;
    reactions: string;
    forwarded: string;
    template: string | null;
    human_agent_tag: number;
    error: string | null;
    edited_at: number | null;
    deleted_at: number | null;
    created_at: number;
    received_at: number;
    raw: string | null;
    seq: number;
    /** For kind 'activity': the Activity as JSON. */
    activity: string | null;
    /** For kind 'note': the agent ids it mentions, as a JSON array. */
    mentions: Generated<string>;
  };
  media: {
    id: string;
    channel_account_id: string | null;
    kind: string;
    status: string;
    mime_type: string | null;
    file_name: string | null;
    size: number | null;
    sha256: string | null;
    source_kind: string;
    source_ref: string | null;
    storage_key: string | null;
    thumbnail_key: string | null;
    error: string | null;
    attempts: number;
    created_at: number;
    updated_at: number;
    /** The node copying it now, and until when its claim holds (renewed while it works). */
    lease_owner: string | null;
    lease_until: number | null;
  };
  outbound_jobs: {
    id: string;
    kind: string;
    channel_account_id: string;
    conversation_id: string | null;
    message_id: string | null;
    payload: string;
    state: string;
    attempts: number;
    next_attempt_at: number;
    last_error: string | null;
    created_at: number;
    updated_at: number;
    /** The node running it now, and until when its claim holds (renewed while it runs). */
    lease_owner: string | null;
    lease_until: number | null;
  };
  mutations: {
    client_id: string;
    agent_id: string;
    type: string;
    result: string;
    created_at: number;
  };
  templates: {
    id: string;
    channel_account_id: string;
    name: string;
    language: string;
    category: string;
    status: string;
    components: string;
    synced_at: number;
    seq: number;
  };
  canned_responses: {
    id: string;
    shortcut: string;
    title: string;
    body: string;
    /** null: shared with everyone. */
    owner_id: string | null;
    deleted: number;
    created_at: number;
    updated_at: number;
    seq: number;
  };
  kysely_migration?: { name: string; timestamp: Generated<string> };
};
