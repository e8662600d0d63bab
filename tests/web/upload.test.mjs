// A food bank's volunteer uploads the month's intake export: the preview says what will be
// saved and why two rows cannot be, Save gives a receipt, the same file again changes
// nothing, and another organization sees none of it.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  prerequisites, startGateway, launchBrowser, newPage, visit, goto, submit, signInAs, field, expectText, bodyText, restToken,
} from './harness.mjs';

const skip = prerequisites();

// The shape of samples/agency/foodbank-intake/intake-2026-11.csv (a spreadsheet's export,
// with its byte-order mark). The header is row 1: row 3 has a date that does not exist and
// row 5 a gender the format does not know; rows 2 and 4 are good.
const INTAKE = '\uFEFF' + [
  'Client ID,First Name,Last Name,Date of Birth,Gender,Phone,Email,Street Address,City,State,ZIP,Household ID,Household Size,TEFAP Eligible,Eligibility Basis,Worried Food Would Run Out,Food Did Not Last,Visit Date,Pounds Distributed,Site',
  'FB-20001,Maria,Delgado,3/14/1984,F,(617) 555-0142,maria.delgado@example.org,"48 Elm St, Apt 2",Cambridge,MA,02139,HH-6001,4,Yes,SNAP,Often true,Sometimes true,11/2/2026,32.5,Central Square Pantry',
  'FB-20002,Luis,Delgado,13/45/2020,M,617.555.0143,,"48 Elm St, Apt 2",Cambridge,MA,02139,HH-6001,4,Yes,SNAP,,,11/2/2026,,',
  'FB-20003,Ada,Okafor,1958-09-30,Woman,+1 857 555 0199,,12 Prospect Hill Rd,Somerville,MA,02143,HH-6002,1,Yes,Income,Never true,Never true,11/3/2026,18,Union Square Mobile Market',
  'FB-20004,Tom,Reyes,,Q,,,,Cambridge,MA,,HH-6003,2,No,,Sometimes true,Never true,11/3/2026,12.25,Central Square Pantry',
].join('\r\n') + '\r\n';

// The README's "2 visits"; a foodbank visit is stored as a Procedure, which the pages may
// call a service given.
const TWO_VISITS = /\b2 (visits|services given)\b/;

describe('upload', { skip, timeout: 240_000 }, () => {
  let gateway;
  let browser;
  let pantry;

  before(async () => {
    gateway = await startGateway('upload', {
      users: [
        { name: 'pat', organization: 'org-pantry' },
        { name: 'otto', organization: 'org-other' },
      ],
    });
    browser = await launchBrowser();
    pantry = await newPage(browser);
    await signInAs(pantry, gateway.url, 'pat');
  });
  after(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  // Chooses the format and the file on /upload and checks it; the page ends on the preview.
  async function uploadIntake(page, screenshot) {
    await goto(page, `${gateway.url}/upload`);
    if (screenshot) await visit(page, screenshot);
    await field(page, 'Format').selectOption('foodbank-intake');
    await field(page, 'File').setInputFiles({ name: 'intake-2026-11.csv', mimeType: 'text/csv', buffer: Buffer.from(INTAKE) });
    await submit(page, page.getByRole('button', { name: 'Check the file' }));
  }

  async function save(page) {
    await submit(page, page.locator('#confirm').getByRole('button', { name: 'Save' }));
  }

  test('the preview says what will be saved and why rows 3 and 5 cannot be', async () => {
    await uploadIntake(pantry, 'upload-form');
    await visit(pantry, 'upload-preview');
    await expectText(pantry, 'h1', 'Check before saving');
    await expectText(pantry, '#will-save', '2 people');
    await expectText(pantry, '#will-save', TWO_VISITS);

    const headers = (await pantry.locator('table#rejected th').allInnerTexts()).map((t) => t.trim());
    for (const name of ['Row', 'Column', 'What is wrong']) assert.ok(headers.includes(name), `table#rejected has no "${name}" heading: ${headers}`);
    const rows = [];
    for (const row of await pantry.locator('table#rejected tr').filter({ has: pantry.locator('td') }).all()) {
      rows.push((await row.locator('th, td').allInnerTexts()).map((t) => t.trim()));
    }
    assert.deepEqual(rows.map((r) => r[0]), ['3', '5'], `the rejected rows: ${JSON.stringify(rows)}`);
    assert.equal(rows[0][1], 'Date of Birth');
    assert.equal(rows[1][1], 'Gender');
    for (const row of rows) assert.ok(row[2] && row[2].length > 5, `row ${row[0]} says nothing of what is wrong: ${JSON.stringify(row)}`);
    assert.equal(await pantry.locator('#confirm').getByRole('button', { name: 'Save' }).count(), 1, 'no Save button');
  });

  test('Save gives a receipt with the counts', async () => {
    await save(pantry);
    await visit(pantry, 'upload-receipt');
    await expectText(pantry, 'h1', 'Saved');
    await expectText(pantry, '#receipt', '2 people');
    await expectText(pantry, '#receipt', TWO_VISITS);
    assert.doesNotMatch(await pantry.locator('#receipt').innerText(), /Nothing changed/);
  });

  test('the good rows are readable over REST by the pantry\'s own system; the bad ones were not saved', async () => {
    const token = await restToken(gateway, { client: 'pantry-system', organization: 'org-pantry' });
    const count = async (client) => {
      const answer = await fetch(`${gateway.url}/fhir/Patient?_summary=count&identifier=` +
        encodeURIComponent(`urn:carebridge:agency:org-pantry:foodbank-client|${client}`), {
        headers: { Authorization: `Bearer ${token}`, Accept: 'application/fhir+json' },
      });
      assert.equal(answer.status, 200);
      return (await answer.json()).total;
    };
    assert.equal(await count('FB-20001'), 1);
    assert.equal(await count('FB-20003'), 1);
    assert.equal(await count('FB-20002'), 0, 'row 3 (a date that does not exist) was saved');
    assert.equal(await count('FB-20004'), 0, 'row 5 (an unknown gender) was saved');
  });

  test('the same file again changes nothing, and the receipt says so', async () => {
    await uploadIntake(pantry);
    await visit(pantry, 'upload-preview-again');
    await expectText(pantry, 'h1', 'Check before saving');
    await save(pantry);
    await visit(pantry, 'upload-nothing-changed');
    await expectText(pantry, 'h1', 'Saved');
    await expectText(pantry, '#receipt', 'Nothing changed');
  });

  test('another organization sees none of the pantry\'s people', async () => {
    const other = await newPage(browser);
    await signInAs(other, gateway.url, 'otto');
    for (const [path, name] of [['/', 'upload-other-home'], ['/referrals', 'upload-other-referrals']]) {
      await goto(other, `${gateway.url}${path}`);
      await visit(other, name);
      const text = await bodyText(other);
      for (const secret of ['Delgado', 'Okafor', 'FB-20001', 'FB-20003']) {
        assert.ok(!text.includes(secret), `${path} shows org-pantry's ${secret} to org-other: ${text}`);
      }
    }
    // The same file from org-other makes its own records: finding the pantry's ("Nothing
    // changed") would tell it who the pantry serves.
    await goto(other, `${gateway.url}/upload`);
    await field(other, 'Format').selectOption('foodbank-intake');
    await field(other, 'File').setInputFiles({ name: 'intake-2026-11.csv', mimeType: 'text/csv', buffer: Buffer.from(INTAKE) });
    await submit(other, other.getByRole('button', { name: 'Check the file' }));
    await submit(other, other.locator('#confirm').getByRole('button', { name: 'Save' }));
    await visit(other, 'upload-other-receipt');
    await expectText(other, '#receipt', '2 people');
    assert.doesNotMatch(await other.locator('#receipt').innerText(), /Nothing changed/);
  });
});
