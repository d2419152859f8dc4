import type { UpdateStatus } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { t as translate, type MessageKey, type Values } from '../../src/common/i18n/index.js';
import {
  requestNotice,
  resolveConversationRequest,
  type RequestDeps,
} from '../../src/features/desktop/conversationRequest.js';
import { popOutCommand } from '../../src/features/desktop/popOutCommand.js';
import { updateView } from '../../src/features/desktop/updateText.js';
import { ApiError } from '../../src/platform/http.js';
import { popOutConversationId, popOutUrl } from '../../src/platform/desktop.js';

const words = {
  t: (key: MessageKey, values?: Values) => translate(key, values, 'en'),
  time: (ms: number) => `T${ms}`,
};

const status = (phase: UpdateStatus['phase']): UpdateStatus => ({ version: '1.4.0', channel: 'stable', phase });

describe('the updates section', () => {
  const shown = (phase: UpdateStatus['phase']) => {
    const view = updateView(status(phase), words);
    return { ...view, text: words.t(view.text.key, view.text.values) };
  };

  it('offers a restart only when an update is ready', () => {
    expect(shown({ kind: 'ready', version: '1.5.0' })).toMatchObject({
      action: 'restart',
      text: 'Version 1.5.0 is ready. Restart Parley to use it: your drafts and unsent messages are kept.',
    });
    expect(shown({ kind: 'checking' }).action).toBeNull();
    expect(shown({ kind: 'disabled' }).action).toBeNull();
  });

  it('shows a download with its progress', () => {
    expect(shown({ kind: 'downloading', version: '1.5.0', percent: 42 })).toMatchObject({
      progress: 42,
      action: null,
      text: 'Downloading version 1.5.0: 42 %',
    });
  });

  it('says a failure quietly, with its reason and when it tries again', () => {
    expect(shown({ kind: 'failed', code: 'unreachable', retryAt: 5000 })).toEqual({
      quiet: true,
      progress: null,
      action: 'check',
      text: 'The last check did not work: the update server could not be reached. Parley tries again by itself at T5000.',
    });
    expect(shown({ kind: 'failed', code: 'signature-invalid', retryAt: null }).text).toBe(
      'The last check did not work: the download is not signed by Parley’s publisher. Parley tries again by itself later.',
    );
  });

  it('says when it last checked', () => {
    expect(shown({ kind: 'upToDate', checkedAt: 7 }).text).toBe('Parley is up to date (checked at T7).');
    expect(shown({ kind: 'upToDate', checkedAt: null }).text).toBe('Parley is up to date.');
  });
});

describe('a conversation asked for by a link', () => {
  const deps = (change: Partial<RequestDeps>): RequestDeps => ({
    inCache: () => Promise.resolve(false),
    visibleOnServer: () => Promise.resolve(true),
    ...change,
  });

  it('opens from the cache without asking the server', async () => {
    let asked = false;
    const outcome = await resolveConversationRequest(
      'c1',
      deps({
        inCache: () => Promise.resolve(true),
        visibleOnServer: () => {
          asked = true;
          return Promise.resolve(true);
        },
      }),
    );
    expect(outcome).toBe('open');
    expect(asked).toBe(false);
    expect(requestNotice(outcome)).toBeNull();
  });

  it('tells apart one on its way, one not shared, and no answer', async () => {
    expect(await resolveConversationRequest('c1', deps({}))).toBe('syncing');
    expect(await resolveConversationRequest('c1', deps({ visibleOnServer: () => Promise.resolve(false) }))).toBe(
      'notVisible',
    );
    expect(
      await resolveConversationRequest(
        'c1',
        deps({ visibleOnServer: () => Promise.reject(new ApiError('unreachable')) }),
      ),
    ).toBe('unreachable');
    expect(
      await resolveConversationRequest(
        'c1',
        deps({ visibleOnServer: () => Promise.reject(new ApiError('internal', 'server_error')) }),
      ),
    ).toBe('notVisible');
  });

  it('words every notice in English and French', () => {
    for (const outcome of ['syncing', 'notVisible', 'unreachable'] as const) {
      const notice = requestNotice(outcome);
      if (notice === null) throw new Error(outcome);
      expect(translate(notice.key, {}, 'en')).not.toBe(translate(notice.key, {}, 'fr'));
      expect(translate(notice.key, {}, 'fr')).not.toBe(notice.key);
    }
  });
});

describe('pop-out windows', () => {
  it('reads the conversation of a pop-out window, refusing anything not an id', () => {
    expect(popOutConversationId('?popout=abc-123')).toBe('abc-123');
    expect(popOutConversationId('?conversation=abc')).toBeNull();
    expect(popOutConversationId('?popout=..%2Fx')).toBeNull();
    expect(popOutConversationId('')).toBeNull();
  });

  it('builds the window’s URL on the page’s own origin, dropping the rest', () => {
    expect(popOutUrl('c-1', 'https://parley.example/app/?conversation=x#top')).toBe(
      'https://parley.example/app/?popout=c-1',
    );
  });

  it('is a palette command, disabled with no conversation open', () => {
    const opened: string[] = [];
    const none = popOutCommand(
      null,
      (key) => key,
      (id) => opened.push(id),
    );
    expect(none.disabled).toBe(true);
    none.run();
    const some = popOutCommand(
      'c9',
      (key) => translate(key, {}, 'en'),
      (id) => opened.push(id),
    );
    expect(some).toMatchObject({ title: 'Open conversation in new window', shortcut: 'mod+shift+o', disabled: false });
    some.run();
    expect(opened).toEqual(['c9']);
  });
});
