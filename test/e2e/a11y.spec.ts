import { AxeBuilder } from '@axe-core/playwright';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { signIn } from '../support/app.js';
import { AGENT } from '../support/server.js';
import { NOTE_TEXT, PICTURE_CUSTOMER, SUPERVISOR, startScene, writeNote, type Scene } from '../support/scene.js';

/**
 * Every screen an agent or a supervisor works in, in light and dark: axe finds no
 * violation of impact serious or critical (WCAG 2.1 A and AA, colour contrast included).
 * Each screen is its own test, scanned where it stands on the page.
 */

let scene: Scene;

// axe over a whole screen takes a while on a busy machine.
test.describe.configure({ timeout: 120_000 });

test.beforeAll(async () => {
  scene = await startScene();
  await writeNote(scene.server, PICTURE_CUSTOMER.name, NOTE_TEXT);
});

test.afterAll(async () => {
  await scene.close();
});

type Scheme = 'light' | 'dark';

async function expectNoSeriousViolations(page: Page, include?: string): Promise<void> {
  // Transitions (ripples, fades) settle before colours are measured.
  await page.mouse.move(0, 0);
  await page.waitForTimeout(400);
  let builder = new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']);
  if (include !== undefined) builder = builder.include(include);
  const results = await builder.analyze();
  const serious = results.violations.filter(
    (violation) => violation.impact === 'serious' || violation.impact === 'critical',
  );
  const report = serious.map((violation) => ({
    rule: violation.id,
    impact: violation.impact,
    help: violation.help,
    targets: violation.nodes.map((node) => ({ target: node.target.join(' '), why: node.failureSummary })),
  }));
  if (report.length > 0) console.log(JSON.stringify(report, null, 2));
  expect(report, 'axe violations of impact serious or critical').toEqual([]);
}

async function signedIn(page: Page, scheme: Scheme): Promise<void> {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.emulateMedia({ colorScheme: scheme });
  await signIn(page, scene.server.url, AGENT);
  await expect(page.getByTestId('conversation-item').filter({ hasText: PICTURE_CUSTOMER.name })).toBeVisible();
}

async function openPictureThread(page: Page): Promise<void> {
  await page.getByTestId('conversation-item').filter({ hasText: PICTURE_CUSTOMER.name }).click();
  await expect(page.getByTestId('thread-title')).toHaveText(PICTURE_CUSTOMER.name);
  await expect(page.locator('[data-testid="message"][data-kind="image"] img')).toBeVisible();
  await expect(page.getByTestId('thread').getByText(NOTE_TEXT)).toBeVisible();
}

/** The first of several ways a screen may be reached, as it is built. */
function firstOf(...locators: Locator[]): Locator {
  return locators.reduce((all, next) => all.or(next)).first();
}

for (const scheme of ['light', 'dark'] as const) {
  test.describe(`in ${scheme}`, () => {
    test(`the inbox (${scheme})`, async ({ page }) => {
      await signedIn(page, scheme);
      await expectNoSeriousViolations(page);
    });

    test(`a thread with a picture and a note (${scheme})`, async ({ page }) => {
      await signedIn(page, scheme);
      await openPictureThread(page);
      await expectNoSeriousViolations(page, '[data-testid="thread"]');
    });

    test(`the composer (${scheme})`, async ({ page }) => {
      await signedIn(page, scheme);
      await openPictureThread(page);
      await page.getByTestId('composer-input').fill('Yes! We have it in sizes 36 to 42.');
      await expectNoSeriousViolations(page, '[data-testid="composer"]');
    });

    test(`the contact panel (${scheme})`, async ({ page }) => {
      await signedIn(page, scheme);
      await openPictureThread(page);
      const panel = firstOf(page.getByTestId('contact-panel'), page.getByRole('complementary'));
      await expect(panel, 'the contact panel beside the thread').toBeVisible();
      const id = await panel.getAttribute('data-testid');
      await expectNoSeriousViolations(page, id === null ? '[role="complementary"]' : `[data-testid="${id}"]`);
    });

    test(`the command palette (${scheme})`, async ({ page }) => {
      await signedIn(page, scheme);
      await page.keyboard.press('Control+k');
      const palette = page.getByRole('dialog');
      await expect(palette, 'the palette opens on Ctrl+K').toBeVisible();
      await page.keyboard.type('ass');
      await expectNoSeriousViolations(page, '[role="dialog"]');
    });

    test(`the settings (${scheme})`, async ({ page }) => {
      await signedIn(page, scheme);
      // Settings open from the account menu.
      await page.getByRole('button', { name: 'Account' }).click();
      await page.getByTestId('menu-settings').click();
      await expect(page.getByTestId('settings-dialog')).toBeVisible();
      await expectNoSeriousViolations(page);
    });

    test(`the supervisor's view (${scheme})`, async ({ page }) => {
      await page.setViewportSize({ width: 1440, height: 900 });
      await page.emulateMedia({ colorScheme: scheme });
      await signIn(page, scene.server.url, SUPERVISOR);
      await page.getByTestId('nav-supervisor').click();
      await expect(page.getByTestId('queue-row').first()).toBeVisible();
      await expectNoSeriousViolations(page);
    });
  });
}
