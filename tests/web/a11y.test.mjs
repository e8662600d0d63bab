// Every page, at a phone's size and a desktop's: a screenshot, axe-core (no serious or
// critical violation), one h1, the page's language, a keyboard that reaches the first
// form control by Tab with a visible focus, and on the phone nothing wider than the screen.
// Then the upload works with JavaScript off.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  prerequisites, startGateway, launchBrowser, newPage, visit, goto, submit, signInAs, field, expectText,
} from './harness.mjs';

const skip = prerequisites();

const VIEWPORTS = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 900 } };
// The Spanish page last: ?lang=es is kept in a cookie for the pages after it.
const SIGNED_OUT = ['/', '/signin', '/signin?lang=es'];
// Signed in, also every page the header's menu links to.
const SIGNED_IN = ['/', '/upload', '/forms', '/forms/foodbank-intake', '/forms/referral-request', '/referrals', '/subscriptions'];

const slug = (path) => (path === '/' ? 'home' : path.slice(1).replace(/[^a-z0-9]+/gi, '-'));

// Presses Tab from the top of the page until the first form control (the first in <main>,
// else the first on the page) has the focus; how many presses it took, 0 when the page has
// no control. The focused control must show it (an outline or a shadow).
async function tabToFirstControl(page) {
  const target = await page.evaluateHandle(() => {
    const controls = 'input:not([type=hidden]), select, textarea, button';
    const usable = (el) => !el.disabled && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
    return [...document.querySelectorAll(`main :is(${controls})`)].find(usable)
      ?? [...document.querySelectorAll(controls)].find(usable) ?? null;
  });
  if (await target.evaluate((t) => t === null)) return 0;
  await page.evaluate(() => document.activeElement?.blur());
  const limit = 60;
  for (let presses = 1; presses <= limit; ++presses) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((t) => document.activeElement === t, target)) {
      const style = await target.evaluate((t) => {
        const s = getComputedStyle(t);
        return { outline: s.outlineStyle, width: s.outlineWidth, shadow: s.boxShadow };
      });
      assert.ok((style.outline !== 'none' && style.width !== '0px') || style.shadow !== 'none',
        `the focused control shows no focus: ${JSON.stringify(style)}`);
      return presses;
    }
  }
  const what = await target.evaluate((t) => t.outerHTML.slice(0, 120));
  assert.fail(`${limit} presses of Tab did not reach the first form control ${what}`);
}

async function checkPage(page, url, path, screenshot) {
  const response = await goto(page, `${url}${path}`);
  assert.ok(response.status() < 400, `${path} answered ${response.status()}`);
  await visit(page, screenshot);
  assert.equal(await page.locator('h1').count(), 1, `${path} should have exactly one h1`);
  assert.match((await page.locator('html').getAttribute('lang')) ?? '', /^[a-z]{2}/, `${path}: <html> has no lang`);
  await tabToFirstControl(page);
  if (page.viewportSize().width < 500) {
    const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, screen: window.innerWidth }));
    assert.ok(widths.page <= widths.screen + 1, `${path} is wider than the phone (${widths.page} > ${widths.screen} px): it scrolls sideways`);
  }
}

describe('accessibility of every page', { skip, timeout: 240_000 }, () => {
  let gateway;
  let browser;

  before(async () => {
    gateway = await startGateway('a11y', { users: [{ name: 'ada', organization: 'org-clinic', admin: true }] });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  for (const [device, viewport] of Object.entries(VIEWPORTS)) {
    test(`${device}: the pages before sign-in`, async (t) => {
      const page = await newPage(browser, { viewport, isMobile: device === 'phone', hasTouch: device === 'phone' });
      for (const path of SIGNED_OUT) {
        await t.test(path, () => checkPage(page, gateway.url, path, `a11y-${device}-signed-out-${slug(path)}`));
      }
    });

    test(`${device}: the pages of a signed-in administrator`, async (t) => {
      const page = await newPage(browser, { viewport, isMobile: device === 'phone', hasTouch: device === 'phone' });
      await signInAs(page, gateway.url, 'ada');
      // And any page the menu offers that the list does not know yet.
      const menu = await page.locator('header nav a[href^="/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      const paths = [...new Set([...SIGNED_IN, ...menu.filter((href) => !href.includes('?'))])];
      for (const path of paths) {
        await t.test(path, () => checkPage(page, gateway.url, path, `a11y-${device}-${slug(path)}`));
      }
    });
  }

  test('with JavaScript off, sign-in and an upload to its preview work', async () => {
    const page = await newPage(browser, { javaScriptEnabled: false });
    await signInAs(page, gateway.url, 'ada');
    await goto(page, `${gateway.url}/upload`);
    await field(page, 'Format').selectOption('foodbank-intake');
    const csv = 'Client ID,First Name,Last Name,Household ID,Visit Date\r\nFB-1,Ana,Rivera,HH-1,11/2/2026\r\n';
    await field(page, 'File').setInputFiles({ name: 'intake.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await submit(page, page.getByRole('button', { name: 'Check the file' }));
    await visit(page, 'a11y-no-javascript-preview');
    await expectText(page, 'h1', 'Check before saving');
    await expectText(page, '#will-save', /\b1 person\b/);
  });
});
