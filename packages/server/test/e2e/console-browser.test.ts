/**
 * The web console in a real headless Chromium against a real `chute serve`: what an operator sees
 * and does (counts, send, peek, purge, redrive, the token prompt, a phone-sized screen). Queues are
 * prepared and checked through the SDK, the way another client of the broker would see them.
 * Screenshots go to test-artifacts/ at the repository root.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Chute } from '@chutemq/client';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { repoRoot, startServer, type RunningServer } from '../support/server-process.js';

/** Debian's Chromium, installed by .ci/run; the tests never download a browser. */
const chromiumPath = process.env.CHUTE_TEST_CHROMIUM ?? '/usr/bin/chromium';
const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const artifactsDir = path.join(repoRoot, 'test-artifacts');
/** Longest wait for the page to show something; the console polls every 2 s. */
const uiWaitMs = 15_000;
const testTimeoutMs = 90_000;

function queueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Waits until `read()` returns `expected`, or fails naming what it saw last. */
async function eventually<T>(what: string, read: () => Promise<T>, expected: T, timeoutMs = uiWaitMs): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (last === expected) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`${what}: expected ${JSON.stringify(expected)}, last saw ${JSON.stringify(last)}`);
}

async function textOf(locator: Locator): Promise<string> {
  return ((await locator.count()) === 0 ? '' : ((await locator.first().textContent()) ?? '')).trim();
}

async function screenshot(page: Page, file: string): Promise<void> {
  fs.mkdirSync(artifactsDir, { recursive: true });
  await page.screenshot({ path: path.join(artifactsDir, file), fullPage: true });
}

/**
 * Opens a page that records every request to another origin and every script error, so that a
 * test can check the console made none.
 */
async function openPage(browser: Browser, server: RunningServer, viewport = { width: 1280, height: 900 }): Promise<{ page: Page; foreign: string[]; errors: string[] }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const foreign: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith(`${server.url}/`) && !url.startsWith('data:')) foreign.push(url);
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, foreign, errors };
}

describe('web console', { timeout: 5 * testTimeoutMs }, () => {
  let server: RunningServer;
  let browser: Browser;
  let chute: Chute;

  before(async () => {
    assert.ok(fs.existsSync(chromiumPath), `${chromiumPath} is missing: install Debian's chromium package (apt-get install -y chromium)`);
    server = await startServer();
    chute = new Chute({ url: server.url, maxRetries: 0 });
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, timeout: 30_000 });
  });

  after(async () => {
    await browser?.close();
    await chute?.close();
    await server?.stop();
  });

  test('the overview lists a queue made through the SDK with its counts', { timeout: testTimeoutMs }, async () => {
    const name = queueName('overview');
    const queue = chute.queue(name);
    await queue.create();
    for (let i = 0; i < 3; i++) await queue.send(JSON.stringify({ order: i }));
    const [leased] = await queue.receive({ max: 1, visibilityTimeoutMs: 60_000 });
    assert.ok(leased !== undefined);
    await queue.send('later', { delayMs: 60_000 });

    const { page, foreign, errors } = await openPage(browser, server);
    await page.goto(`${server.url}/`);
    const row = page.locator(`tr[data-queue="${name}"]`);
    await row.waitFor({ timeout: uiWaitMs });
    await eventually('ready', () => textOf(row.locator('[data-col=ready]')), '2');
    assert.equal(await textOf(row.locator('[data-col=leased]')), '1');
    assert.equal(await textOf(row.locator('[data-col=delayed]')), '1');
    assert.equal(await textOf(row.locator('[data-col=dead]')), '0');

    // The filter narrows the table to matching names.
    const other = queueName('zzother');
    await chute.queue(other).create();
    await page.locator(`tr[data-queue="${other}"]`).waitFor({ timeout: uiWaitMs });
    await page.fill('input.filter', name);
    await page.locator(`tr[data-queue="${other}"]`).waitFor({ state: 'detached', timeout: uiWaitMs });
    assert.equal(await row.count(), 1);
    await page.fill('input.filter', '');

    // Sorting by "Ready" puts the fullest queue first when descending.
    await page.getByRole('button', { name: /^Ready/ }).click();
    const firstReady = Number(await textOf(page.locator('table.queues tbody tr').first().locator('[data-col=ready]')));
    const allReady = (await page.locator('table.queues tbody [data-col=ready]').allTextContents()).map(Number);
    assert.equal(firstReady, Math.max(...allReady));

    // Topics are listed with their subscriptions.
    const topic = queueName('events');
    await chute.topic(topic).create();
    await chute.topic(topic).subscribe(name, { routingKey: 'order.*' });
    const topicRow = page.locator(`tr[data-topic="${topic}"]`);
    await topicRow.waitFor({ timeout: uiWaitMs });
    assert.match(await textOf(topicRow), new RegExp(`${name}: key order\\.\\*`));

    // Traffic for a few seconds: the rates, computed in the page from polled totals, go above zero.
    const busy = queueName('busy');
    await chute.queue(busy).create();
    const trafficUntil = Date.now() + 7000;
    while (Date.now() < trafficUntil) {
      await chute.queue(busy).sendBatch(Array.from({ length: 20 }, (_, i) => ({ body: `tick ${i}` })));
      const got = await chute.queue(busy).receive({ max: 15, waitMs: 0 });
      if (got.length > 0) await chute.queue(busy).ack(got);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const busyRow = page.locator(`tr[data-queue="${busy}"]`);
    assert.notEqual(await textOf(busyRow.locator('[data-col=send]')), '0.0/s');
    assert.notEqual(await textOf(busyRow.locator('[data-col=ack]')), '0.0/s');
    await screenshot(page, 'console-overview.png');
    assert.deepEqual(foreign, [], 'the console fetched nothing from other origins');
    assert.deepEqual(errors, []);
    await page.context().close();
    await leased.ack();
  });

  test('a message sent from the queue page changes the count, can be peeked, then purged', { timeout: testTimeoutMs }, async () => {
    const name = queueName('orders');
    const queue = chute.queue(name);
    await queue.create();
    await queue.send('first, from the SDK', { headers: { origin: 'sdk' } });

    const { page, errors } = await openPage(browser, server);
    await page.goto(`${server.url}/#/queues/${encodeURIComponent(name)}`);
    const ready = page.locator('[data-stat=ready] .value');
    await eventually('ready before send', () => textOf(ready), '1');

    await page.fill('#send-body', '{"orderId":42,"items":["tea","cake"]}');
    await page.fill('#send-headers', 'x-source: console test');
    await page.click('#send button[type=submit]');
    await page.getByRole('status').filter({ hasText: /^Sent / }).waitFor({ timeout: uiWaitMs });
    await eventually('ready after send', () => textOf(ready), '2');
    assert.equal((await queue.stats()).ready, 2);

    await page.click('#peek .card-head button');
    const cards = page.locator('#peek article.message');
    await eventually('peeked messages', () => cards.count(), 2);
    const sent = cards.nth(1);
    assert.equal(await textOf(sent.locator('pre.body')), JSON.stringify({ orderId: 42, items: ['tea', 'cake'] }, null, 2));
    assert.match(await textOf(sent.locator('table.headers')), /x-source\s*console test/);
    await sent.getByRole('tab', { name: 'Hex' }).click();
    assert.match(await textOf(sent.locator('pre.body')), /^00000000 {2}7b 22 6f 72/);
    await sent.getByRole('tab', { name: 'Text' }).click();
    assert.equal(await textOf(sent.locator('pre.body')), '{"orderId":42,"items":["tea","cake"]}');
    // Peeking leased nothing.
    assert.equal((await queue.stats()).leased, 0);
    await screenshot(page, 'console-queue.png');

    await page.getByRole('button', { name: 'Purge…' }).click();
    await page.getByRole('alertdialog').waitFor({ timeout: uiWaitMs });
    await page.getByRole('button', { name: `Yes, purge ${name}` }).click();
    await page.getByRole('status').filter({ hasText: 'Purged 2 messages.' }).waitFor({ timeout: uiWaitMs });
    await eventually('ready after purge', () => textOf(ready), '0');
    assert.equal((await queue.stats()).total, 0);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  test('the configuration form changes a setting through PATCH and shows refusals', { timeout: testTimeoutMs }, async () => {
    const name = queueName('config');
    const queue = chute.queue(name);
    await queue.create({ visibilityTimeoutMs: 30_000 });

    const { page } = await openPage(browser, server);
    await page.goto(`${server.url}/#/queues/${encodeURIComponent(name)}`);
    await page.locator('#cfg-visibilityTimeoutMs').waitFor({ timeout: uiWaitMs });
    await page.fill('#cfg-visibilityTimeoutMs', '45000');
    await page.click('#config button[type=submit]');
    await page.locator('#config [role=status].ok').waitFor({ timeout: uiWaitMs });
    assert.equal((await queue.get()).config.visibilityTimeoutMs, 45_000);

    await page.fill('#cfg-visibilityTimeoutMs', String(13 * 3600 * 1000));
    await page.click('#config button[type=submit]');
    const refusal = page.locator('#config [role=status].error');
    await refusal.waitFor({ timeout: uiWaitMs });
    assert.match(await textOf(refusal), /visibilityTimeoutMs/);
    assert.equal((await queue.get()).config.visibilityTimeoutMs, 45_000);
    await page.context().close();
  });

  test('the redrive button of a dead-letter queue moves its messages back, with progress', { timeout: testTimeoutMs }, async () => {
    const source = queueName('jobs');
    const dlq = `${source}-dlq`;
    await chute.queue(dlq).create();
    await chute.queue(source).create({ maxDeliveries: 1, deadLetterQueue: dlq });
    for (let i = 0; i < 3; i++) await chute.queue(source).send(`job ${i}`);
    // One lease each without an ack uses up maxDeliveries; the short lease lets them expire.
    const leased = await chute.queue(source).receive({ max: 3, visibilityTimeoutMs: 200 });
    assert.equal(leased.length, 3);
    await eventually('dead letters', async () => {
      await chute.queue(source).receive({ max: 3, waitMs: 0 });
      return (await chute.queue(dlq).stats()).ready;
    }, 3);

    const { page, errors } = await openPage(browser, server);
    await page.goto(`${server.url}/#/queues/${encodeURIComponent(dlq)}`);
    const button = page.getByRole('button', { name: 'Redrive 3 messages' });
    await button.waitFor({ timeout: uiWaitMs });
    await page.click('#peek .card-head button');
    await page.locator('#peek article.message').first().waitFor({ timeout: uiWaitMs });
    assert.match(await textOf(page.locator('#peek article.message').first()), new RegExp(`maxDeliveries from ${source}`));
    await screenshot(page, 'console-dead-letter-queue.png');

    await button.click();
    await page.locator('#redrive [role=status]').filter({ hasText: 'Moved 3 of 3.' }).waitFor({ timeout: uiWaitMs });
    assert.equal(await page.locator('#redrive progress').getAttribute('value'), '3');
    assert.equal((await chute.queue(dlq).stats()).ready, 0);
    assert.equal((await chute.queue(source).stats()).ready, 3);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  test('the consumers page shows who long-polls a queue', { timeout: testTimeoutMs }, async () => {
    const name = queueName('polled');
    await chute.queue(name).create();
    const poll = chute.queue(name).receive({ waitMs: 10_000 });

    const { page } = await openPage(browser, server);
    await page.goto(`${server.url}/#/consumers`);
    const row = page.locator('table.consumers tbody tr', { hasText: name });
    await row.waitFor({ timeout: uiWaitMs });
    await chute.queue(name).send('wake up');
    assert.equal((await poll).length, 1);
    await page.context().close();
  });

  test('on a phone-sized screen the overview fits the width', { timeout: testTimeoutMs }, async () => {
    const { page } = await openPage(browser, server, { width: 390, height: 844 });
    await page.goto(`${server.url}/`);
    await page.locator('table.queues tbody tr').first().waitFor({ timeout: uiWaitMs });
    // Evaluated in the page; written as a string since the test itself is type-checked without DOM types.
    const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
    assert.ok(overflow <= 0, `the page is ${overflow} px wider than the screen`);
    await screenshot(page, 'console-phone.png');
    await page.context().close();
  });
});

describe('web console with tokens', { timeout: 2 * testTimeoutMs }, () => {
  const token = `console-${randomUUID()}`;
  let server: RunningServer;
  let browser: Browser;

  before(async () => {
    assert.ok(fs.existsSync(chromiumPath), `${chromiumPath} is missing: install Debian's chromium package (apt-get install -y chromium)`);
    server = await startServer({ config: { tokens: [{ name: 'operator', token, permissions: [{ queues: '*', actions: ['send', 'receive', 'manage'] }] }] } });
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, timeout: 30_000 });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('asks for a token when the API answers 401 and keeps it for the session', { timeout: testTimeoutMs }, async () => {
    const name = queueName('secured');
    const chute = new Chute({ url: server.url, token, maxRetries: 0 });
    await chute.queue(name).create();
    await chute.queue(name).send('secret');
    await chute.close();

    const { page } = await openPage(browser, server);
    await page.goto(`${server.url}/`);
    const prompt = page.getByRole('heading', { name: 'Access token' });
    await prompt.waitFor({ timeout: uiWaitMs });
    await page.fill('input[name=token]', token);
    await page.getByRole('button', { name: 'Use token' }).click();
    const row = page.locator(`tr[data-queue="${name}"]`);
    await eventually('ready with the token', () => textOf(row.locator('[data-col=ready]')), '1');
    assert.equal(await page.evaluate("sessionStorage.getItem('chute.token')"), token);

    // A reload in the same tab keeps the token: no prompt again.
    await page.reload();
    await eventually('ready after reload', () => textOf(row.locator('[data-col=ready]')), '1');
    assert.equal(await prompt.count(), 0);
    await page.context().close();
  });
});
