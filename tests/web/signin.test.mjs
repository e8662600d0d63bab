// Signing in and out as a person would: the home page before and after, a wrong password,
// the lock after five, a form posted without its csrf field, and the page in Spanish.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  prerequisites, startGateway, launchBrowser, newPage, visit, goto, submit, signIn, expectText, bodyText, PASSWORD,
} from './harness.mjs';

const skip = prerequisites();

describe('sign-in', { skip, timeout: 240_000 }, () => {
  let gateway;
  let browser;

  before(async () => {
    gateway = await startGateway('signin', {
      users: [
        { name: 'ana', organization: 'org-clinic' },
        { name: 'bo', organization: 'org-clinic' },
        { name: 'lee', organization: 'org-clinic' },
      ],
    });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  const signedIn = async (page) => (await page.locator('a[href="/upload"]').count()) > 0;

  test('signed out, the home page leads to sign-in and to nothing else', async () => {
    const page = await newPage(browser);
    await goto(page, `${gateway.url}/`);
    await visit(page, 'signin-home-signed-out');
    assert.ok(await page.locator('a[href^="/signin"]').count() > 0, `no link to /signin: ${await bodyText(page)}`);
    assert.equal(await signedIn(page), false);
  });

  test('a wrong password shows an error and does not sign in', async () => {
    const page = await newPage(browser);
    await signIn(page, gateway.url, 'ana', 'not the password at all');
    await visit(page, 'signin-wrong-password');
    assert.ok(await page.locator('#signin').isVisible(), 'the sign-in form is shown again');
    assert.ok(await page.locator('#errors, [role="alert"]').first().isVisible(), `no error shown: ${await bodyText(page)}`);
    assert.equal(await page.context().cookies().then((c) => c.some((k) => k.name === 'cb_session' && k.value)), false,
      'a wrong password got a session cookie');
    await goto(page, `${gateway.url}/`);
    assert.equal(await signedIn(page), false, 'signed in with a wrong password');
  });

  test('the right password signs in: home links to Upload, Forms and Referrals (not Subscriptions)', async () => {
    const page = await newPage(browser);
    await signIn(page, gateway.url, 'ana');
    assert.equal(new URL(page.url()).pathname, '/', `sign-in led to ${page.url()}`);
    await visit(page, 'signin-home-signed-in');
    for (const href of ['/upload', '/forms', '/referrals']) {
      assert.ok(await page.locator(`main a[href="${href}"]`).count() > 0, `home has no link to ${href}: ${await bodyText(page)}`);
    }
    assert.equal(await page.locator('a[href="/subscriptions"]').count(), 0, 'a non-administrator is offered Subscriptions');
    const session = (await page.context().cookies()).find((c) => c.name === 'cb_session');
    assert.ok(session?.value, 'no cb_session cookie');
    assert.equal(session.httpOnly, true, 'cb_session is not HttpOnly');
    assert.equal(session.sameSite, 'Strict', 'cb_session is not SameSite=Strict');
    assert.equal(session.path, '/');
  });

  test('a POST without the form\'s csrf field is refused with 403; with it, it is not', async () => {
    const page = await newPage(browser);
    await signIn(page, gateway.url, 'ana');
    await goto(page, `${gateway.url}/upload`);
    const csrf = await page.locator('form:has(input[name="file"]) input[name="csrf"]').inputValue();
    assert.ok(csrf, 'the upload form carries no csrf field');
    const file = { name: 'intake.csv', mimeType: 'text/csv', buffer: Buffer.from('Client ID,First Name\r\nFB-1,Ana\r\n') };
    // page.request sends the browser's cookies, as a forged cross-site form would not even do.
    const without = await page.request.post(`${gateway.url}/upload`, { multipart: { mapping: 'foodbank-intake', file }, maxRedirects: 0 });
    assert.equal(without.status(), 403, 'a POST /upload without csrf was not refused');
    const wrong = await page.request.post(`${gateway.url}/upload`,
      { multipart: { mapping: 'foodbank-intake', file, csrf: csrf.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')) }, maxRedirects: 0 });
    assert.equal(wrong.status(), 403, 'a POST /upload with a wrong csrf was not refused');
    const right = await page.request.post(`${gateway.url}/upload`, { multipart: { mapping: 'foodbank-intake', file, csrf }, maxRedirects: 0 });
    assert.notEqual(right.status(), 403, 'the form\'s own csrf value was refused');
  });

  test('sign out ends the session, also for a copy of its cookie', async () => {
    const page = await newPage(browser);
    await signIn(page, gateway.url, 'bo');
    await goto(page, `${gateway.url}/`);
    assert.ok(await signedIn(page), 'not signed in');
    const cookies = await page.context().cookies();
    await submit(page, page.getByRole('button', { name: 'Sign out' }));
    await visit(page, 'signin-signed-out');
    await goto(page, `${gateway.url}/`);
    assert.equal(await signedIn(page), false, 'still signed in after signing out');
    await goto(page, `${gateway.url}/upload`);
    assert.equal(await page.locator('input[name="file"]').count(), 0, '/upload shows its form after signing out');

    const replay = await newPage(browser);
    await replay.context().addCookies(cookies);
    await goto(replay, `${gateway.url}/`);
    assert.equal(await signedIn(replay), false, 'the old session cookie still signs in');
  });

  test('?lang=es shows the pages in Spanish and the choice is kept', async () => {
    const page = await newPage(browser);
    await goto(page, `${gateway.url}/signin?lang=es`);
    await visit(page, 'signin-es');
    assert.ok(await page.locator('#signin').getByRole('button', { name: 'Iniciar sesión' }).isVisible(),
      `no "Iniciar sesión" button: ${await bodyText(page)}`);
    assert.match(await page.locator('html').getAttribute('lang'), /^es/);
    assert.ok(await page.locator('a[href*="lang=en"]').count() > 0, 'no link back to English');
    await goto(page, `${gateway.url}/signin`);
    assert.ok(await page.getByRole('button', { name: 'Iniciar sesión' }).isVisible(), 'the Spanish choice was not kept');
    await goto(page, `${gateway.url}/signin?lang=en`);
    assert.ok(await page.locator('#signin').getByRole('button', { name: 'Sign in' }).isVisible(), 'no way back to English');
    assert.match(await page.locator('html').getAttribute('lang'), /^en/);
  });

  test('a browser that asks for Spanish (Accept-Language) gets Spanish', async () => {
    const page = await newPage(browser, { locale: 'es-ES' });
    await goto(page, `${gateway.url}/signin`);
    await visit(page, 'signin-es-accept-language');
    assert.ok(await page.locator('#signin').getByRole('button', { name: 'Iniciar sesión' }).isVisible(),
      `a Spanish browser got: ${await bodyText(page)}`);
    assert.match(await page.locator('html').getAttribute('lang'), /^es/);
    const english = await newPage(browser, { locale: 'en-US' });
    await goto(english, `${gateway.url}/signin`);
    assert.ok(await english.locator('#signin').getByRole('button', { name: 'Sign in' }).isVisible());
  });

  // Last: a lock that wrongly followed the address instead of the account would stop the others.
  test('five wrong passwords lock the account: then even the right one fails, saying so', async () => {
    const page = await newPage(browser);
    for (let attempt = 1; attempt <= 5; ++attempt) {
      await signIn(page, gateway.url, 'lee', `wrong password number ${attempt}`);
      assert.ok(await page.locator('#signin').isVisible(), `attempt ${attempt} did not come back to the form`);
    }
    await signIn(page, gateway.url, 'lee', PASSWORD);
    await visit(page, 'signin-locked');
    await expectText(page, 'body', /locked/i);
    await goto(page, `${gateway.url}/`);
    assert.equal(await signedIn(page), false, 'a locked account signed in');

    const other = await newPage(browser);
    await signIn(other, gateway.url, 'ana');
    await goto(other, `${gateway.url}/`);
    assert.ok(await signedIn(other), 'another account was locked too');
  });
});
