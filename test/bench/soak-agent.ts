/**
 * The soak's agent (soak.ts): what a person does in the inbox, as Playwright steps, each
 * bounded, and the day's dice, so two runs play the same day.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import type { TestServer } from '../support/server.js';
import { bounded, fromEnv } from './harness.js';
import { BIG_CONTACT } from './pages/inbox-shared.js';

/** How long one step may take (SOAK_STEP_MS, 15 s). */
export const STEP_MS = fromEnv('SOAK_STEP_MS', 15_000);

/** A small deterministic generator, so two runs play the same day. */
let state = 20_260_612;
export function random(): number {
  state = (state * 1_664_525 + 1_013_904_223) >>> 0;
  return state / 2 ** 32;
}
export const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;

export const QUERIES = ['order', 'refund', 'parcel track', 'invoice', 'courier', 'discount', 'Customer', 'Soak'];

export type Tally = Record<string, { ok: number; failed: number }>;

export const ROW = '[data-testid="conversation-item"]';

export async function settle(page: Page): Promise<void> {
  // Two frames: what the last action changed is rendered.
  await page.evaluate(
    () => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))),
  );
}

/**
 * Says why a step failed: its error's first line, the lines of Playwright's log that say
 * what it was waiting on (an element covering the target, one not visible), and a
 * screenshot of the page at that moment in bench-results/.
 */
export async function explainFailure(page: Page, what: string, hour: number, error: unknown): Promise<void> {
  const lines = String(error).split('\n');
  const why = lines
    .slice(1)
    .map((line) => line.trim())
    .filter((line) =>
      /intercepts pointer events|not visible|not stable|not enabled|detached|waiting for|where it went/.test(line),
    )
    .slice(-3);
  console.log(`  ${what} failed: ${lines[0]?.slice(0, 160) ?? ''}`);
  for (const line of why) console.log(`    ${line.slice(0, line.startsWith('where it went') ? 2_000 : 200)}`);
  const file = path.resolve('bench-results', `soak-${what.replace(/\W+/g, '-')}-hour-${hour}.png`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await bounded(
    page.screenshot({ path: file }).then(() => console.log(`    screenshot: ${path.relative(process.cwd(), file)}`)),
    5_000,
  ).catch(() => undefined);
}

/** The open conversation's name, once its contact is read (the header shows it a moment later). */
export async function title(page: Page): Promise<string> {
  const shown = page.locator('[data-testid="thread-title"]:not(:empty)').first();
  await shown.waitFor({ timeout: 5_000 });
  return (await shown.textContent()) ?? '';
}

/** Opens one of the rows in sight in the current view, by pointing at it and clicking. */
export async function openByClick(page: Page): Promise<string> {
  await page.locator(ROW).first().waitFor({ timeout: 5_000 });
  // The pointer goes to the list first, as a person's does: the list holds still under it.
  // Then one of the rows in sight (the list renders a few more above and below its window).
  const look = (): Promise<{ box: { x: number; y: number; width: number; height: number }; ids: string[] }> =>
    page.evaluate((selector) => {
      const rows = Array.from(document.querySelectorAll<HTMLElement>(selector));
      let scroller: HTMLElement | null = rows[0]?.parentElement ?? null;
      while (scroller !== null && !/(auto|scroll)/.test(getComputedStyle(scroller).overflowY)) {
        scroller = scroller.parentElement;
      }
      const box = (scroller ?? document.body).getBoundingClientRect();
      return {
        box: { x: box.x, y: box.y, width: box.width, height: box.height },
        ids: rows
          .filter((row) => {
            const at = row.getBoundingClientRect();
            return at.top >= box.top && at.bottom <= box.bottom;
          })
          .map((row) => row.dataset.conversationId ?? '')
          .filter((id) => id !== ''),
      };
    }, ROW);
  const { box } = await look();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const inSight = await look();
  const id = inSight.ids[Math.floor(random() * Math.min(8, inSight.ids.length))];
  if (id === undefined) throw new Error('no row in sight');
  // By its conversation, not its place: the list is virtualized.
  await page.locator(`${ROW}[data-conversation-id="${id}"]`).click();
  await page
    .locator(`[data-testid="thread-pane"][data-conversation-id="${id}"][aria-busy="false"]`)
    .waitFor({ timeout: STEP_MS });
  // On to the thread: while the pointer rests on the list, new conversations wait behind
  // "N updates — show", and the next rows in sight would all be old ones.
  const thread = await page.getByTestId('message-log').first().boundingBox();
  if (thread !== null) await page.mouse.move(thread.x + thread.width / 2, thread.y + thread.height / 2);
  // Read now: a contact's name may change as their profile arrives.
  return title(page);
}

export async function openByKeyboard(page: Page): Promise<string> {
  await page.keyboard.press('Escape');
  const moves = 1 + Math.floor(random() * 3);
  const key = random() < 0.7 ? 'j' : 'k';
  for (let n = 0; n < moves; n += 1) await page.keyboard.press(key);
  await page.keyboard.press('Enter');
  // The conversation shown before stays (inert) until the chosen one's first screen is read:
  // its title is not the answer yet.
  await page.locator('[data-testid="thread-pane"][aria-busy="false"]').waitFor({ timeout: STEP_MS });
  await settle(page);
  return title(page);
}

/** Scrolls the open thread up a few screens, a frame apart, then back to its end. */
export async function scrollThread(page: Page): Promise<void> {
  await page.getByTestId('message-log').first().waitFor({ timeout: 5_000 });
  await page.evaluate(async () => {
    const log = document.querySelector('[data-testid="message-log"]');
    let scroller: HTMLElement | null = null;
    for (let node = log as HTMLElement | null; node !== null; node = node.parentElement) {
      if (/(auto|scroll)/.test(getComputedStyle(node).overflowY) && node.scrollHeight > node.clientHeight) {
        scroller = node;
        break;
      }
    }
    if (scroller === null) {
      scroller =
        Array.from(log?.querySelectorAll<HTMLElement>('*') ?? []).find(
          (node) => /(auto|scroll)/.test(getComputedStyle(node).overflowY) && node.scrollHeight > node.clientHeight,
        ) ?? null;
    }
    if (scroller === null) return;
    // Inline promises: a named helper here would not survive being sent to the page.
    for (let n = 0; n < 4; n += 1) {
      scroller.scrollTop -= scroller.clientHeight;
      await new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve())));
    }
    for (let n = 0; n < 6; n += 1) {
      scroller.scrollTop += 2 * scroller.clientHeight;
      await new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve())));
    }
  });
}

export async function reply(page: Page, server: TestServer, hour: number, n: number): Promise<void> {
  const text = `Thanks, I am looking into it now (hour ${hour}, reply ${n}).`;
  const input = page.getByTestId('composer-input');
  await input.click();
  await input.fill(text);
  await input.press('Enter');
  try {
    await page.getByTestId('message-text').filter({ hasText: text }).first().waitFor({ timeout: STEP_MS });
  } catch (error) {
    throw new Error(`${String(error)}\n  where it went: ${await whereIs(page, server, text)}`);
  }
}

/** Where a reply that never showed went: the server's store, the page's cache and outbox, the screen. */
export async function whereIs(page: Page, server: TestServer, text: string): Promise<string> {
  const stored = await server.store.db
    .selectFrom('messages')
    .innerJoin('conversations', 'conversations.id', 'messages.conversation_id')
    .innerJoin('contacts', 'contacts.id', 'conversations.contact_id')
    .select(['messages.conversation_id', 'messages.status', 'contacts.name'])
    .where('messages.text', '=', text)
    .execute();
  const cached = await bounded(
    page.evaluate(async (wanted) => {
      const found: string[] = [];
      for (const info of await indexedDB.databases()) {
        if (info.name === undefined) continue;
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const request = indexedDB.open(info.name as string);
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error ?? new Error('open failed'));
        });
        for (const store of ['messages', 'outbox']) {
          if (!db.objectStoreNames.contains(store)) continue;
          await new Promise<void>((resolve) => {
            const cursor = db.transaction(store).objectStore(store).openCursor();
            cursor.onsuccess = () => {
              const at = cursor.result;
              if (at === null) return resolve();
              const row = JSON.stringify(at.value);
              if (row.includes(wanted)) found.push(`${store}: ${row.slice(0, 300)}`);
              at.continue();
            };
            cursor.onerror = () => resolve();
          });
        }
        db.close();
      }
      return `${found.join(' | ') || 'nothing in the cache'}; on screen ${location.hash} ${document.querySelector('[data-testid="thread-title"]')?.textContent ?? ''}`;
    }, text),
    10_000,
  ).catch((error: unknown) => `cache unreadable: ${String(error)}`);
  return `server ${JSON.stringify(stored)}; ${String(cached)}`;
}

/** Assignment or status, from the keyboard: assign to me, pending, reopen, resolve. */
export const CHANGES = ['i', 'p', 'o', 'e'] as const;
export async function change(page: Page, n: number): Promise<void> {
  await page.keyboard.press('Escape');
  const key = CHANGES[n % CHANGES.length] ?? 'i';
  await page.keyboard.press(key);
  if (key === 'i') await page.getByTestId('assignee-button').filter({ hasText: 'Assigned to you' }).waitFor();
  else {
    const status = key === 'p' ? 'pending' : key === 'o' ? 'open' : 'resolved';
    await page.locator(`[data-testid="status-toggle"][data-status="${status}"]`).waitFor({ timeout: STEP_MS });
  }
}

export async function search(page: Page): Promise<void> {
  await page.keyboard.press('Escape');
  await page.keyboard.press('/');
  const input = page.getByTestId('search-input');
  await input.waitFor();
  await page.keyboard.type(pick(QUERIES), { delay: 30 });
  await page
    .getByTestId('search-group')
    .first()
    .waitFor({ timeout: 5_000 })
    .catch(() => undefined);
  await input.press('Escape');
  await page.locator(ROW).first().waitFor({ timeout: STEP_MS });
}

export async function palette(page: Page, query: string): Promise<void> {
  await page.keyboard.press('Control+k');
  await page.getByTestId('command-palette').waitFor({ state: 'visible' });
  await page.keyboard.type(query, { delay: 30 });
  await settle(page);
}

export async function paletteAndClose(page: Page): Promise<void> {
  await page.keyboard.press('Escape');
  await palette(page, pick(['mine', 'snooze', 'theme', 'search']));
  await page.keyboard.press('Escape');
  await page.getByTestId('command-palette').waitFor({ state: 'hidden' });
}

export async function settings(page: Page): Promise<void> {
  await page.keyboard.press('Escape');
  await page.getByTestId('account-button').click();
  await page.getByRole('menuitem', { name: 'Settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  await dialog.waitFor();
  const tabs = dialog.getByRole('tab');
  const count = await tabs.count();
  if (count > 1) await tabs.nth(1 + Math.floor(random() * (count - 1))).click();
  await settle(page);
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
}

export async function view(page: Page, which: 'mine' | 'unassigned'): Promise<void> {
  await page.keyboard.press('Escape');
  await page.keyboard.press('g');
  await page.keyboard.press(which === 'mine' ? 'i' : 'u');
  await page.locator(`[data-view="${which}"]`).first().waitFor({ timeout: 5_000 });
}

/** The same screen before every measurement: Mine, the long seeded thread open, the list at its top. */
export async function canonical(page: Page): Promise<void> {
  await page.keyboard.press('Escape');
  await view(page, 'mine');
  await palette(page, BIG_CONTACT);
  await page.getByTestId('palette-option').filter({ hasText: BIG_CONTACT }).first().click();
  await page.getByTestId('thread-title').filter({ hasText: BIG_CONTACT }).waitFor({ timeout: STEP_MS });
  await page.evaluate(() => {
    const list = document.querySelector('[data-testid="conversation-list"]');
    for (const node of [list, ...Array.from(list?.querySelectorAll<HTMLElement>('*') ?? [])]) {
      if (node instanceof HTMLElement && node.scrollHeight > node.clientHeight) node.scrollTop = 0;
    }
  });
  await page.keyboard.press('Escape');
  await page.waitForTimeout(1_500);
}
