// A clinic's case manager fills in the referral form: a required field left empty is
// named in the error summary, which links to the field, and beside the field, as is a birth
// date after today, which an upload's row would leave out; corrected,
// the form shows the preview, and Save gives the receipt.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  prerequisites, startGateway, launchBrowser, newPage, visit, goto, submit, signInAs, field, setField, expectText, bodyText,
} from './harness.mjs';

const skip = prerequisites();

// Every field of the referral-request form (mappings/specs/referral-request/spec.json) but
// Last Name, which the test leaves empty first.
const REFERRAL = {
  'Referral ID': 'R-WEB-0100',
  'Referral Date': '2026-11-09',
  'Client ID': 'C-0100',
  'First Name': 'Colin',
  'Date of Birth': '1969-02-17',
  'Phone': '(617) 555-0177',
  'Need': 'Food',
  'Service Requested': 'Help applying to the food pantry program',
  'Receiving Organization': 'org-pantry',
  'Urgency': 'Routine',
  'Consent on File': 'Yes',
  'Consent Date': '2026-11-09',
  'Referred By': 'Jan Water',
};

describe('forms', { skip, timeout: 240_000 }, () => {
  let gateway;
  let browser;
  let page;

  before(async () => {
    // The pantry is registered (pat signs in for it): a referral goes only to an organization the gateway knows.
    gateway = await startGateway('forms', { users: [{ name: 'cara', organization: 'org-clinic' }, { name: 'pat', organization: 'org-pantry' }] });
    browser = await launchBrowser();
    page = await newPage(browser);
    await signInAs(page, gateway.url, 'cara');
  });
  after(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  test('/forms lists the formats with a form', async () => {
    await goto(page, `${gateway.url}/forms`);
    await visit(page, 'forms-list');
    for (const mapping of ['referral-request', 'foodbank-intake']) {
      assert.ok(await page.locator(`main a[href="/forms/${mapping}"]`).count() > 0, `/forms has no link to ${mapping}: ${await bodyText(page)}`);
    }
  });

  test('a required field left empty: the summary links to it and the message is beside it', async () => {
    await page.locator('main a[href="/forms/referral-request"]').click();
    await page.waitForURL(/\/forms\/referral-request$/);
    await visit(page, 'forms-referral-request');
    for (const [name, value] of Object.entries(REFERRAL)) await setField(page, name, value);
    await submit(page, page.getByRole('button', { name: 'Check', exact: true }));
    await visit(page, 'form-errors');

    const summary = page.locator('#errors');
    assert.ok(await summary.isVisible(), `no error summary #errors: ${await bodyText(page)}`);
    const last = field(page, 'Last Name');
    const id = await last.getAttribute('id');
    assert.ok(id, 'the Last Name field has no id to link to');
    const links = summary.locator('a[href^="#"]');
    const targets = await links.evaluateAll((as) => as.map((a) => `${a.getAttribute('href')} ${a.textContent.trim()}`));
    assert.deepEqual(targets.map((t) => t.split(' ')[0]), [`#${id}`], `the summary should link to Last Name only: ${targets}`);
    assert.ok(targets[0].length > id.length + 2, 'the summary\'s link says nothing');

    const message = page.locator(`[id="${id}-error"]`);
    assert.ok(await message.isVisible(), `no message #${id}-error beside the field: ${await bodyText(page)}`);
    assert.ok((await message.innerText()).trim().length > 0, 'the message beside the field is empty');
    const describedBy = (await last.getAttribute('aria-describedby')) ?? '';
    assert.ok(describedBy.split(/\s+/).includes(`${id}-error`), `the field is not described by its message (aria-describedby="${describedBy}")`);

    // Following the summary's link lands on the field; what was typed is still there.
    await links.first().click();
    assert.equal(new URL(page.url()).hash, `#${id}`);
    assert.equal(await field(page, 'First Name').inputValue(), REFERRAL['First Name'], 'the form forgot what was typed');
    assert.equal(await field(page, 'Service Requested').inputValue(), REFERRAL['Service Requested']);
  });

  test('a birth date after today is said beside its field rather than left out', async () => {
    await field(page, 'Last Name').fill('Abbas');
    await field(page, 'Date of Birth').fill('2099-02-17');
    await submit(page, page.getByRole('button', { name: 'Check', exact: true }));
    const dob = field(page, 'Date of Birth');
    const id = await dob.getAttribute('id');
    const targets = await page.locator('#errors a[href^="#"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.deepEqual(targets, [`#${id}`], `the summary should link to Date of Birth only: ${await bodyText(page)}`);
    assert.match(await page.locator(`[id="${id}-error"]`).innerText(), /after today/);
    await dob.fill(REFERRAL['Date of Birth']);
  });

  test('corrected, the form shows the preview; Save gives the receipt', async () => {
    await field(page, 'Last Name').fill('Abbas');
    await submit(page, page.getByRole('button', { name: 'Check', exact: true }));
    await visit(page, 'form-preview');
    await expectText(page, 'h1', 'Check before saving');
    assert.equal(await page.locator('#errors').count(), 0, `errors after correcting: ${await bodyText(page)}`);
    await expectText(page, '#will-save', /\b1 (person|referral)\b/);
    await submit(page, page.locator('#confirm').getByRole('button', { name: 'Save' }));
    await visit(page, 'form-receipt');
    await expectText(page, 'h1', 'Saved');
    await expectText(page, '#receipt', /\b1 person\b/);
  });
});
