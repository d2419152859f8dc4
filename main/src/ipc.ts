/**
 * The main-process side of the desktop API. Every channel comes from `desktopChannels`:
 * its zod tuple validates the arguments, `DesktopResults` types the answer, and the sender
 * frame must be one of our own pages. Electron's `ipcMain` is injected, so this runs in Node.
 */
import type { IpcMainInvokeEvent } from 'electron';
import {
  desktopChannels,
  desktopEvents,
  type DesktopArgs,
  type DesktopChannel,
  type DesktopEvent,
  type DesktopEventPayload,
  type DesktopResults,
} from '@parley/protocol';
import { originOf } from './app-origin.js';

export type DesktopHandler<C extends DesktopChannel> = (
  ...args: DesktopArgs<C>
) => DesktopResults[C] | Promise<DesktopResults[C]>;

/** One handler per channel; the mapped type makes a missing channel a compile error. */
export type DesktopHandlers = { [C in DesktopChannel]: DesktopHandler<C> };

/** What `handle` needs from an invoke event; Electron's `IpcMainInvokeEvent` has it. */
export type InvokeEvent = Pick<IpcMainInvokeEvent, 'senderFrame'>;

export type InvokeListener = (event: InvokeEvent, ...args: unknown[]) => Promise<unknown>;

/** The two methods of `ipcMain` this module uses. */
export type IpcMainLike = {
  handle(channel: string, listener: InvokeListener): void;
  removeHandler(channel: string): void;
};

export class IpcSenderError extends Error {
  override readonly name = 'IpcSenderError';
}

export class IpcArgumentError extends Error {
  override readonly name = 'IpcArgumentError';
}

/**
 * Refuses calls that do not come from one of our pages: a frame of another origin (an
 * injected iframe, a page the window was tricked into loading) must not read the session
 * token. A null frame means it navigated away or was destroyed while the call was in flight.
 */
export function assertTrustedSender(frameUrl: string | null | undefined, appOrigin: string): void {
  if (frameUrl === null || frameUrl === undefined) throw new IpcSenderError('IPC refused: the sender frame is gone');
  if (originOf(frameUrl) !== appOrigin) {
    throw new IpcSenderError(`IPC refused: sender ${JSON.stringify(frameUrl)} is not ${appOrigin}`);
  }
}

/** Validates a call's arguments against the channel's zod tuple; the message names the bad ones. */
export function parseDesktopArgs<C extends DesktopChannel>(channel: C, args: readonly unknown[]): DesktopArgs<C> {
  const result = desktopChannels[channel].safeParse(args);
  if (result.success) return result.data as DesktopArgs<C>;
  const problems = result.error.issues
    .map((issue) => {
      const where = issue.path.length === 0 ? 'arguments' : `argument ${issue.path.join('.')}`;
      return `${where}: ${issue.message}`;
    })
    .join('; ');
  throw new IpcArgumentError(`Invalid arguments for ${channel}: ${problems}`);
}

/**
 * Registers one typed handler. The returned function unregisters it, so whoever starts a
 * handler can also stop it.
 */
export function handle<C extends DesktopChannel>(
  ipc: IpcMainLike,
  channel: C,
  appOrigin: string,
  handler: DesktopHandler<C>,
): () => void {
  ipc.handle(channel, async (event, ...args) => {
    assertTrustedSender(event.senderFrame?.url, appOrigin);
    return handler(...parseDesktopArgs(channel, args));
  });
  return () => ipc.removeHandler(channel);
}

/** Every desktop channel's handler, registered on start and removed on dispose. */
export class DesktopIpc {
  private readonly unregister: Array<() => void> = [];

  constructor(
    private readonly ipc: IpcMainLike,
    private readonly appOrigin: string,
    private readonly handlers: DesktopHandlers,
  ) {}

  start(): void {
    if (this.unregister.length > 0) return;
    for (const channel of Object.keys(desktopChannels) as DesktopChannel[]) {
      this.register(channel);
    }
  }

  dispose(): void {
    for (const unregister of this.unregister.splice(0)) unregister();
  }

  private register<C extends DesktopChannel>(channel: C): void {
    this.unregister.push(handle(this.ipc, channel, this.appOrigin, this.handlers[channel]));
  }
}

/** What `sendDesktopEvent` needs from a window's `webContents`. */
export type DesktopEventTarget = {
  isDestroyed(): boolean;
  getURL(): string;
  send(channel: string, payload: unknown): void;
};

/**
 * Tells the page of one window about a main-process event. The payload is checked against
 * the event's schema (a bad one is a bug here, and throws), and the event goes only to one
 * of our own pages: a window that was somehow navigated elsewhere hears nothing. Returns
 * whether it was sent.
 */
export function sendDesktopEvent<E extends DesktopEvent>(
  target: DesktopEventTarget,
  appOrigin: string,
  event: E,
  payload: DesktopEventPayload<E>,
): boolean {
  const checked: unknown = desktopEvents[event].parse(payload);
  if (target.isDestroyed() || originOf(target.getURL()) !== appOrigin) return false;
  target.send(event, checked);
  return true;
}
