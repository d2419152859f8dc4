/** The updater's status in the agent's words, and what they can do about it now. */
import type { UpdateErrorCode, UpdateStatus } from '@parley/protocol';
import type { MessageKey, Values } from '../../common/i18n/index.js';

export type UpdateView = {
  /** The sentence that says where updates stand. */
  text: { key: MessageKey; values?: Values };
  /** A download's progress, 0 to 100. */
  progress: number | null;
  /** The one button that fits: restart into a ready update, or check again. */
  action: 'restart' | 'check' | null;
  /** A failure is said quietly (not as an error): Parley retries by itself. */
  quiet: boolean;
};

const REASONS: Record<UpdateErrorCode, MessageKey> = {
  unreachable: 'desktop.updates.reason.unreachable',
  'feed-missing': 'desktop.updates.reason.feed-missing',
  'feed-invalid': 'desktop.updates.reason.feed-invalid',
  'checksum-mismatch': 'desktop.updates.reason.checksum-mismatch',
  'signature-invalid': 'desktop.updates.reason.signature-invalid',
  unknown: 'desktop.updates.reason.unknown',
};

export function updateView(
  status: UpdateStatus,
  words: { t: (key: MessageKey, values?: Values) => string; time: (ms: number) => string },
): UpdateView {
  const { phase } = status;
  switch (phase.kind) {
    case 'disabled':
      return { text: { key: 'desktop.updates.disabled' }, progress: null, action: null, quiet: false };
    case 'upToDate':
      return {
        text:
          phase.checkedAt === null
            ? { key: 'desktop.updates.upToDate' }
            : { key: 'desktop.updates.upToDateAt', values: { time: words.time(phase.checkedAt) } },
        progress: null,
        action: 'check',
        quiet: false,
      };
    case 'checking':
      return { text: { key: 'desktop.updates.checking' }, progress: null, action: null, quiet: false };
    case 'downloading':
      return {
        text: { key: 'desktop.updates.downloading', values: { version: phase.version, percent: phase.percent } },
        progress: phase.percent,
        action: null,
        quiet: false,
      };
    case 'ready':
      return {
        text: { key: 'desktop.updates.ready', values: { version: phase.version } },
        progress: null,
        action: 'restart',
        quiet: false,
      };
    case 'failed': {
      const reason = words.t(REASONS[phase.code]);
      return {
        text:
          phase.retryAt === null
            ? { key: 'desktop.updates.failedLater', values: { reason } }
            : { key: 'desktop.updates.failed', values: { reason, time: words.time(phase.retryAt) } },
        progress: null,
        action: 'check',
        quiet: true,
      };
    }
  }
}
