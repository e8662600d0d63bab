// The referral loop in the pages: a clinic refers a client to a food pantry through the
// referral form, the pantry accepts it, the clinic sees it accepted, an organization it
// was not sent to sees nothing, and the pantry completes it with the service date.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  prerequisites, startGateway, launchBrowser, newPage, visit, goto, submit, signInAs, field, setField, expectText,
  bodyText, itemWith,
} from './harness.mjs';

const skip = prerequisites();

const SERVICE = 'Help applying to the food pantry program';
const REFERRAL = {
  'Referral ID': 'R-WEB-0200',
  'Referral Date': '2026-11-09',
  'Client ID': 'C-0200',
  'First Name': 'Amina',
  'Last Name': 'Yusuf',
  'Date of Birth': '1992-08-30',
  'Need': 'Food',
  'Service Requested': SERVICE,
  'Receiving Organization': 'org-pantry',
  'Urgency': 'Routine',
  'Consent on File': 'Yes',
  'Consent Date': '2026-11-09',
};

describe('referrals', { skip, timeout: 240_000 }, () => {
  let gateway;
  let browser;
  const pages = {};

  before(async () => {
    gateway = await startGateway('referrals', {
      users: [
        { name: 'cara', organization: 'org-clinic' },
        { name: 'pat', organization: 'org-pantry' },
        { name: 'otto', organization: 'org-other' },
      ],
    });
    browser = await launchBrowser();
    for (const user of ['cara', 'pat', 'otto']) {
      pages[user] = await newPage(browser);
      await signInAs(pages[user], gateway.url, user);
    }
  });
  after(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  async function openReferrals(page, screenshot) {
    await goto(page, `${gateway.url}/referrals`);
    await visit(page, screenshot);
    assert.ok(await page.locator('#received').count() === 1 && await page.locator('#sent').count() === 1,
      `/referrals has no #received and #sent: ${await bodyText(page)}`);
  }

  // The referral's entry in the pantry's #received list, with its buttons.
  const received = (page, button) => itemWith(page.locator('#received'), SERVICE, button);
  const sent = (page) => itemWith(page.locator('#sent'), SERVICE);

  test('the clinic sends a referral to the pantry through the referral form', async () => {
    const page = pages.cara;
    await goto(page, `${gateway.url}/forms/referral-request`);
    for (const [name, value] of Object.entries(REFERRAL)) await setField(page, name, value);
    await submit(page, page.getByRole('button', { name: 'Check', exact: true }));
    await visit(page, 'referrals-form-preview');
    await expectText(page, 'h1', 'Check before saving');
    await submit(page, page.locator('#confirm').getByRole('button', { name: 'Save' }));
    await visit(page, 'referrals-form-receipt');
    await expectText(page, 'h1', 'Saved');
  });

  test('the pantry sees it among the referrals sent to it and accepts it', async () => {
    const page = pages.pat;
    await openReferrals(page, 'referrals-pantry-received');
    const item = received(page, 'Accept');
    assert.equal(await item.count(), 1, `the referral is not in #received with an Accept button: ${await page.locator('#received').innerText()}`);
    await submit(page, item.getByRole('button', { name: 'Accept' }));
    await visit(page, 'referrals-pantry-accepted');
    assert.equal(await page.locator('#errors').count(), 0, `accepting failed: ${await bodyText(page)}`);
    await expectText(page, '#received', 'Accepted');
  });

  test('the clinic sees its referral accepted', async () => {
    const page = pages.cara;
    await openReferrals(page, 'referrals-clinic-accepted');
    const item = sent(page);
    assert.equal(await item.count(), 1, `the referral is not in #sent: ${await page.locator('#sent').innerText()}`);
    assert.match(await item.innerText(), /Accepted/);
  });

  test('an organization the referral was not sent to does not see it', async () => {
    const page = pages.otto;
    await openReferrals(page, 'referrals-other');
    const text = await bodyText(page);
    for (const secret of [SERVICE, 'Yusuf', 'Amina']) assert.ok(!text.includes(secret), `org-other sees "${secret}": ${text}`);
  });

  test('the pantry completes it with the service date; the clinic sees it completed', async () => {
    const page = pages.pat;
    await openReferrals(page, 'referrals-pantry-before-complete');
    const item = received(page, 'Complete');
    assert.equal(await item.count(), 1, `no Complete button for the referral: ${await page.locator('#received').innerText()}`);
    await field(item, 'Service date').fill('2026-11-12');
    await submit(page, item.getByRole('button', { name: 'Complete' }));
    await visit(page, 'referrals-pantry-completed');
    assert.equal(await page.locator('#errors').count(), 0, `completing failed: ${await bodyText(page)}`);
    await expectText(page, '#received', 'Completed');

    const clinic = pages.cara;
    await openReferrals(clinic, 'referrals-clinic-completed');
    assert.match(await sent(clinic).innerText(), /Completed/);
  });
});
