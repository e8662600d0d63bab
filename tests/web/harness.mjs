// What every browser test needs: a gateway of its own (a temporary data folder, staff
// accounts, `carebridge serve` on a free loopback port), Debian's Chromium driven by
// playwright-core, and `visit`, which screenshots a page and runs axe-core in it.
//
// A test file starts with `const skip = prerequisites();` and passes `{ skip }` to its
// describe(): where no Chromium or no npm packages are installed, run as `node FILE` (as
// ctest does) it prints SKIP and exits 77; run by `node --test` it reports the tests skipped.
// A file's describe() has a deadline (240 s) under ctest's TIMEOUT (300 s), so its after() hook
// stops the gateway and the browser.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import assert from 'node:assert/strict';

const here = path.dirname(fileURLToPath(import.meta.url));

export const binary = process.env.CAREBRIDGE_BINARY || path.resolve(here, '../../build/carebridge');
export const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
export const screenshotDir = process.env.SCREENSHOT_DIR || path.resolve(here, '../../build/web-screenshots');

// A password every test account gets unless it names its own (the gateway wants 12 or more).
export const PASSWORD = 'correct horse battery staple';

// Why these tests cannot run here, or undefined when they can.
function missingPrerequisite() {
  if (!fs.existsSync(chromiumPath)) return `no Chromium at ${chromiumPath} (install it with scripts/setup)`;
  for (const name of ['playwright-core', 'axe-core']) {
    if (!fs.existsSync(path.join(here, 'node_modules', name, 'package.json'))) {
      return `no ${name} in tests/web/node_modules (install it with scripts/setup)`;
    }
  }
  return undefined;
}

// Checks what the tests need. Returns the `skip` option for describe(): false when they can
// run; a reason when `node --test` runs the file; exits 77 (ctest's skip) when run directly.
// A missing gateway binary is a failure, not a skip: the build makes it.
export function prerequisites() {
  const reason = missingPrerequisite();
  if (reason) {
    console.log(`SKIP: ${reason}`);
    if (!process.env.NODE_TEST_CONTEXT) process.exit(77);
    return reason;
  }
  if (!fs.existsSync(binary)) {
    console.error(`FAIL: no gateway binary at ${binary} (build it, or set CAREBRIDGE_BINARY)`);
    process.exit(1);
  }
  return false;
}

// ---------------------------------------------------------------------------------------
// The gateway

const running = new Set();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function deepMerge(base, extra) {
  const out = { ...base };
  for (const [key, value] of Object.entries(extra || {})) {
    const isObject = value && typeof value === 'object' && !Array.isArray(value);
    out[key] = isObject && out[key] && typeof out[key] === 'object' ? deepMerge(out[key], value) : value;
  }
  return out;
}

async function eventually(condition, withinMs, what) {
  const deadline = Date.now() + withinMs;
  let pause = 5;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${withinMs} ms waiting for ${what}`);
    await sleep(pause);  // polling interval, not a wait for an event
    pause = Math.min(pause * 2, 100);
  }
}

// Adds a staff account: `carebridge users add NAME --organization ORG [--admin] --data-dir DIR`,
// the password on standard input.
function addUser(dataDir, { name, organization, admin = false, password = PASSWORD }) {
  const args = ['users', 'add', name, '--organization', organization, '--data-dir', dataDir];
  if (admin) args.push('--admin');
  const run = spawnSync(binary, args, { input: `${password}\n`, encoding: 'utf8', timeout: 60_000 });
  if (run.status !== 0) {
    throw new Error(`carebridge ${args.join(' ')} exited ${run.status ?? run.signal}: ${run.stderr || run.stdout}`);
  }
}

// Starts a gateway of its own for a test: a temporary folder with the data, the config
// (`{"auth":{"required":true}}` merged with `config`) and the server's output; `users` are
// [{name, organization, admin?, password?}]. Returns {url, dataDir, output(), stop()}.
export async function startGateway(name, { users = [], config = {} } = {}) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `carebridge-web-${name}-`));
  const dataDir = path.join(work, 'data');
  const configFile = path.join(work, 'config.json');
  const portFile = path.join(work, 'port');
  const outputFile = path.join(work, 'output');
  fs.mkdirSync(dataDir);
  fs.writeFileSync(configFile, JSON.stringify(deepMerge({ auth: { required: true } }, config)));
  for (const user of users) addUser(dataDir, user);

  const out = fs.openSync(outputFile, 'w');
  const child = spawn(binary, ['serve', '--data-dir', dataDir, '--port-file', portFile, '--listen', '127.0.0.1:0',
    '--config', configFile], { stdio: ['ignore', out, out] });
  fs.closeSync(out);
  running.add(child);
  let exited = null;
  const exit = new Promise((resolve) => child.on('exit', (code, signal) => {
    exited = code ?? signal;
    running.delete(child);
    resolve();
  }));
  const output = () => (fs.existsSync(outputFile) ? fs.readFileSync(outputFile, 'utf8') : '');

  const stop = async () => {
    if (exited === null) {
      child.kill('SIGTERM');
      const killed = await Promise.race([exit.then(() => false), sleep(15_000, true, { ref: false })]);
      if (killed) {
        child.kill('SIGKILL');
        await exit;
      }
    }
    if (!process.env.KEEP_WORK) fs.rmSync(work, { recursive: true, force: true });
  };

  try {
    const port = await eventually(() => {
      if (exited !== null) throw new Error(`the gateway exited (${exited}) before it listened:\n${output()}`);
      const text = fs.existsSync(portFile) ? fs.readFileSync(portFile, 'utf8').trim() : '';
      return Number(text) > 0 ? Number(text) : 0;
    }, 60_000, 'the gateway to write its port file');
    const url = `http://127.0.0.1:${port}`;
    await eventually(async () => {
      if (exited !== null) throw new Error(`the gateway exited (${exited}):\n${output()}`);
      try {
        return (await fetch(`${url}/healthz`)).status === 200;
      } catch {
        return false;
      }
    }, 30_000, `${url}/healthz to answer 200`);
    return { url, dataDir, output, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

// A bearer token for a system of `organization` (a registered client, as an agency's
// script would be: SMART Backend Services with a signed assertion), to read over REST what
// people saved on the pages.
export async function restToken(gateway, { client, organization, scope = 'system/*.rs' }) {
  const keys = path.join(gateway.dataDir, `${client}-keys`);
  const run = (args) => {
    const done = spawnSync(binary, args, { encoding: 'utf8', timeout: 60_000 });
    if (done.status !== 0) throw new Error(`carebridge ${args.join(' ')} exited ${done.status}: ${done.stderr}`);
    return done.stdout.trim();
  };
  run(['clients', 'keygen', '--out', keys]);
  run(['clients', 'add', client, '--organization', organization, '--jwks', path.join(keys, 'public-keys.jwks'),
    '--scope', scope, '--data-dir', gateway.dataDir]);
  const tokenUrl = `${gateway.url}/auth/token`;
  const assertion = run(['clients', 'assertion', client, '--key', path.join(keys, 'private-key.jwk'), '--aud', tokenUrl]);
  const answer = await fetch(tokenUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials', scope, client_assertion: assertion,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    }),
  });
  const body = await answer.json();
  if (!body.access_token) throw new Error(`no token for ${client}: ${JSON.stringify(body)}`);
  return body.access_token;
}

// ---------------------------------------------------------------------------------------
// The browser

// Debian's Chromium, headless; never a browser download of playwright's own.
export async function launchBrowser() {
  const reason = missingPrerequisite();
  if (reason) {
    console.log(`SKIP: ${reason}`);
    process.exit(77);
  }
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}

// A new context (its own cookies: one person) and page. Records what the page's
// Content-Security-Policy refused, which visit() reports: the pages promise no inline
// script or style.
export async function newPage(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.javaScriptEnabled = options.javaScriptEnabled !== false;
  page.cspViolations = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) {
      page.cspViolations.push(message.text());
    }
  });
  return page;
}

let axeSource;
function axeScript() {
  axeSource ??= fs.readFileSync(path.join(here, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  return axeSource;
}

function describeViolations(violations) {
  return violations.map((v) => {
    const targets = v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ');
    return `  ${v.impact} ${v.id}: ${v.help} (${v.helpUrl})\n    at ${targets}${v.nodes.length > 3 ? ` and ${v.nodes.length - 3} more` : ''}`;
  }).join('\n');
}

// After a navigation: a full-page screenshot to SCREENSHOT_DIR/NAME.png, then axe-core in the
// page; fails on any serious or critical violation and on anything the CSP refused. A page
// with JavaScript off gets the screenshot only: axe-core is JavaScript (the same pages are
// checked with it on).
export async function visit(page, name) {
  await page.waitForLoadState('load');
  fs.mkdirSync(screenshotDir, { recursive: true });
  const screenshot = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: screenshot, fullPage: true });
  if (!page.javaScriptEnabled) return null;

  // Evaluated through the DevTools protocol, which the page's CSP does not govern (a
  // <script> tag would be refused).
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(axeScript());
  const results = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const where = `${name} (${page.url()}, screenshot ${screenshot})`;
  if (serious.length > 0) {
    throw new Error(`axe-core: ${serious.length} serious or critical violation(s) on ${where}:\n${describeViolations(serious)}`);
  }
  const refused = page.cspViolations.splice(0);
  if (refused.length > 0) throw new Error(`the Content-Security-Policy refused something on ${where}:\n  ${refused.join('\n  ')}`);
  return results;
}

// Clicks a button (or anything) that submits a form and waits for the page it leads to.
// When the browser's own validation keeps the form from being sent, says so.
export async function submit(page, target) {
  const loaded = page.waitForEvent('load', { timeout: 15_000 });
  await target.click();
  try {
    await loaded;
  } catch (error) {
    const blocked = await target.evaluate((el) => {
      const form = el.form || el.closest('form');
      if (!form || form.noValidate || form.checkValidity()) return null;
      const invalid = form.querySelector(':invalid');
      return invalid ? `${invalid.name || invalid.id}: ${invalid.validationMessage}` : 'a field';
    }).catch(() => null);
    if (blocked) {
      throw new Error(`the browser's own validation refused to send the form (${blocked}); the gateway's error summary cannot show (add novalidate to the form)`);
    }
    throw error;
  }
}

export async function goto(page, url) {
  const response = await page.goto(url);
  await page.waitForLoadState('load');
  return response;
}

// A label's text begins with the column's name (a "required" mark or more may follow).
export function labelled(name) {
  return new RegExp(`^\\s*${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w])`, 'i');
}

// The field labelled NAME (its label starts with NAME), inside `scope` (a page or a locator).
export function field(scope, name) {
  return scope.getByLabel(labelled(name)).first();
}

// Signs in through #signin (Username, Password, "Sign in"); the page ends where the
// gateway sent it.
export async function signIn(page, url, user, password = PASSWORD) {
  await goto(page, `${url}/signin`);
  const form = page.locator('#signin');
  await form.getByLabel(labelled('Username')).fill(user);
  await form.getByLabel(labelled('Password')).fill(password);
  await submit(page, form.getByRole('button', { name: 'Sign in' }));
}

// Signs in and checks it worked: the home page links to /upload.
export async function signInAs(page, url, user, password = PASSWORD) {
  await signIn(page, url, user, password);
  await goto(page, `${url}/`);
  assert.equal(await page.locator('a[href="/upload"]').count() > 0, true, `${user} is not signed in: ${await bodyText(page)}`);
}

// Sets a form's field, whatever control the page chose: a select (by the option's text,
// else its value), a checkbox (Yes/true ticks it), a group of radio buttons (by label), or
// a text box.
export async function setField(scope, name, value) {
  const group = scope.getByRole('radiogroup', { name: labelled(name) })
    .or(scope.getByRole('group', { name: labelled(name) }));
  if (await group.count() > 0) {
    await group.first().getByLabel(value, { exact: true }).check();
    return;
  }
  const control = field(scope, name);
  const kind = await control.evaluate((el) => `${el.tagName.toLowerCase()}:${el.type || ''}`);
  if (kind.startsWith('select')) {
    const options = await control.evaluate((el) => [...el.options].map((o) => ({ label: o.label.trim(), value: o.value })));
    const option = options.find((o) => o.label.toLowerCase() === value.toLowerCase())
      ?? options.find((o) => o.value.toLowerCase() === value.toLowerCase())
      ?? options.find((o) => o.label.toLowerCase().startsWith(value.toLowerCase()));
    assert.ok(option, `no option "${value}" in the select for ${name}: ${options.map((o) => o.label).join(', ')}`);
    await control.selectOption(option.value);
  } else if (kind === 'input:checkbox') {
    await control.setChecked(/^(yes|true|y)$/i.test(value));
  } else {
    await control.fill(value);
  }
}

export async function bodyText(page) {
  return (await page.locator('body').innerText()).replace(/\s+/g, ' ').trim();
}

// The element SELECTOR shows TEXT (a string it contains, or a RegExp); waits a moment for it.
export async function expectText(page, selector, text) {
  const target = page.locator(selector).first();
  let seen = '';
  const deadline = Date.now() + 5_000;
  for (;;) {
    seen = (await target.count()) > 0 ? (await target.innerText()).replace(/\s+/g, ' ') : null;
    const ok = seen !== null && (text instanceof RegExp ? text.test(seen) : seen.includes(text));
    if (ok) return seen;
    if (Date.now() > deadline) break;
    await sleep(100);
  }
  assert.fail(seen === null
    ? `${page.url()}: no ${selector} on the page; it says: ${await bodyText(page)}`
    : `${page.url()}: ${selector} does not show ${text}; it says: ${seen}`);
}

// The session's cookie header, for requests made outside the browser (fetch).
export async function cookieHeader(page) {
  const cookies = await page.context().cookies();
  return cookies.map((c) => `${c.name}=${c.value}`).join('; ');
}

// The innermost element inside `scope` that shows TEXT (and holds a button named BUTTON,
// when given): one referral in a list, whatever element the page makes each item.
export function itemWith(scope, text, button) {
  let items = scope.locator('li, tr, article, section, fieldset, div').filter({ hasText: text });
  if (button) items = items.filter({ has: scope.page().getByRole('button', { name: button }) });
  return items.last();
}
