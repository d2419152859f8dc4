/**
 * The desktop channels of deep links, pop-out windows, spellcheck and updates. Arguments
 * arrive already validated by `ipc.ts`; the services behind them are injected.
 */
import type { SpellcheckInfo, UpdateChannel, UpdateStatus } from '@parley/protocol';
import type { DesktopHandlers } from './ipc.js';

export type WindowChannel =
  | 'deepLink:take'
  | 'window:popOut'
  | 'spellcheck:getLanguages'
  | 'spellcheck:setLanguages'
  | 'update:getStatus'
  | 'update:check'
  | 'update:install'
  | 'update:setChannel';

export type WindowHandlerDeps = {
  /** The link that waited for the page, handed over once; later ones arrive as events. */
  takeDeepLink: () => { conversationId: string } | null;
  popOut: (conversationId: string) => void;
  spellcheck: { info(): SpellcheckInfo; set(languages: readonly string[]): string[] };
  updates: {
    status(): UpdateStatus;
    check(): void;
    install(): boolean;
    /** Keeps the channel for the next start and applies it now. */
    setChannel(channel: UpdateChannel): Promise<void>;
  };
};

export function createWindowHandlers(deps: WindowHandlerDeps): Pick<DesktopHandlers, WindowChannel> {
  return {
    'deepLink:take': () => deps.takeDeepLink(),
    'window:popOut': ({ conversationId }) => {
      deps.popOut(conversationId);
      return undefined;
    },
    'spellcheck:getLanguages': () => deps.spellcheck.info(),
    'spellcheck:setLanguages': (languages) => deps.spellcheck.set(languages),
    'update:getStatus': () => deps.updates.status(),
    'update:check': () => {
      deps.updates.check();
      return undefined;
    },
    'update:install': () => deps.updates.install(),
    'update:setChannel': async (channel) => {
      await deps.updates.setChannel(channel);
      return undefined;
    },
  };
}
