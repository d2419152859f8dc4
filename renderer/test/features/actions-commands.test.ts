import type { Agent } from '@parley/protocol';
import { describe, expect, it, vi } from 'vitest';
import { t } from '../../src/common/i18n/index.js';
import {
  assignableAgents,
  conversationCommands,
  type ConversationActionsApi,
} from '../../src/features/conversation/controls/actionCommands.js';
import { conversationAt } from '../fixtures.js';

function agent(id: string, overrides: Partial<Agent> = {}): Agent {
  return {
    id,
    email: `${id}@example.com`,
    name: id.toUpperCase(),
    role: 'agent',
    kind: 'person',
    presence: 'online',
    presenceAt: null,
    active: true,
    capacity: 10,
    teamIds: ['sales'],
    seq: 1,
    ...overrides,
  };
}

function api(overrides: Partial<ConversationActionsApi> = {}): ConversationActionsApi {
  return {
    conversationId: 'c1',
    conversation: conversationAt('whatsapp', 0),
    me: agent('me'),
    assign: vi.fn(),
    setStatus: vi.fn(),
    snooze: vi.fn(),
    addLabel: vi.fn(),
    removeLabel: vi.fn(),
    markUnread: vi.fn(),
    openPicker: vi.fn(),
    focusComposer: vi.fn(),
    ...overrides,
  };
}

function byId(actions: ConversationActionsApi): Map<string, ReturnType<typeof conversationCommands>[number]> {
  return new Map(conversationCommands(actions, (key) => t(key, {}, 'en')).map((command) => [command.id, command]));
}

describe('the actions on the open conversation as commands', () => {
  it('each has its own shortcut, shown once', () => {
    const commands = [...byId(api()).values()];
    const shortcuts = commands.flatMap((command) => [command.shortcut, ...(command.moreShortcuts ?? [])]);
    expect(shortcuts).toEqual(['i', 'a', 'e', 'o', 'p', 'z', 'l', 'u', 'r', 'c', 'n']);
    expect(new Set(shortcuts).size).toBe(shortcuts.length);
    expect(commands.every((command) => command.group === 'conversation' && command.title !== '')).toBe(true);
  });

  it('turns each into the right call', () => {
    const actions = api();
    const commands = byId(actions);
    commands.get('conversation.assignToMe')?.run();
    expect(actions.assign).toHaveBeenCalledWith('me');
    commands.get('conversation.resolve')?.run();
    expect(actions.setStatus).toHaveBeenLastCalledWith('resolved');
    commands.get('conversation.pending')?.run();
    expect(actions.setStatus).toHaveBeenLastCalledWith('pending');
    commands.get('conversation.snooze')?.run();
    expect(actions.openPicker).toHaveBeenLastCalledWith('snooze');
    commands.get('conversation.label')?.run();
    expect(actions.openPicker).toHaveBeenLastCalledWith('label');
    commands.get('conversation.markUnread')?.run();
    expect(actions.markUnread).toHaveBeenCalledOnce();
    commands.get('conversation.note')?.run();
    expect(actions.focusComposer).toHaveBeenLastCalledWith('note');
  });

  it('disables what would change nothing, and everything with no conversation open', () => {
    const mineResolved = byId(
      api({ conversation: conversationAt('whatsapp', 0, { assigneeId: 'me', status: 'resolved' }) }),
    );
    expect(mineResolved.get('conversation.assignToMe')?.disabled).toBe(true);
    expect(mineResolved.get('conversation.resolve')?.disabled).toBe(true);
    expect(mineResolved.get('conversation.reopen')?.disabled).toBe(false);
    // A snoozed conversation is reopened by "o": unsnoozing is reopening.
    const snoozed = byId(api({ conversation: conversationAt('whatsapp', 0, { status: 'snoozed', snoozedUntil: 5 }) }));
    expect(snoozed.get('conversation.reopen')?.disabled).toBe(false);
    const none = [...byId(api({ conversationId: null, conversation: null })).values()];
    expect(none.every((command) => command.disabled === true)).toBe(true);
  });

  it('acts on a conversation chosen and not read yet, rather than waiting on what it does not know', () => {
    const actions = api({ conversationId: 'c2', conversation: null });
    const chosen = byId(actions);
    expect([...chosen.values()].every((command) => command.disabled !== true)).toBe(true);
    chosen.get('conversation.assignToMe')?.run();
    expect(actions.assign).toHaveBeenCalledWith('me');
  });

  it('finds words in French too', () => {
    const commands = conversationCommands(api(), (key) => t(key, {}, 'fr'));
    expect(commands.find((command) => command.id === 'conversation.snooze')?.title).toBe('Mettre en veille');
  });
});

describe('who can work a conversation', () => {
  it('active people of its team, any supervisor, never me nor an integration', () => {
    const agents = [
      agent('me'),
      agent('bob'),
      agent('ann', { teamIds: ['support'] }),
      agent('sue', { role: 'supervisor', teamIds: [] }),
      agent('gone', { active: false }),
      agent('crm', { kind: 'integration' }),
    ];
    const conversation = conversationAt('whatsapp', 0, { teamId: 'sales' });
    expect(assignableAgents(agents, conversation, 'me').map((a) => a.id)).toEqual(['bob', 'sue']);
    expect(assignableAgents(agents, conversationAt('whatsapp', 0), 'me').map((a) => a.id)).toEqual([
      'ann',
      'bob',
      'sue',
    ]);
  });
});
