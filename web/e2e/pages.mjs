// The browser specs of the pages that configure an attack (shell, targets, datasets,
// converters, scorers, settings): each page's screen, its errors at their fields, a
// screenshot and axe-core. run.mjs runs them in order against one server.
import { allow, apiCall, assert, checkAccessibility, illegalPrompts, screenshot, until, visit } from './harness.mjs';

export async function shell({ page, server }) {
  const res = await page.goto(server.url + '/');
  const csp = res.headers()['content-security-policy'] ?? '';
  assert(csp.includes("script-src 'self'") && !csp.includes('unsafe-inline'), `CSP: ${csp}`);
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
  for (const label of ['Dashboard', 'Targets', 'Datasets', 'Converters', 'Scorers', 'Executions', 'Settings'])
    await page.getByRole('link', { name: label, exact: true }).waitFor();
  await visit(page, server.url + '/', 'dashboard-empty');
  await page.getByText('Nothing has run yet').waitFor();
  // A client route typed into the address bar opens its page (the SPA fallback).
  await visit(page, server.url + '/settings', 'settings');
  await page.getByRole('heading', { name: 'Settings' }).waitFor();
  await visit(page, server.url + '/no/such/page', 'not-found');
  await page.getByRole('heading', { name: 'Not found' }).waitFor();
  // Navigation in the page, then back.
  await page.getByRole('link', { name: 'Targets', exact: true }).click();
  await page.getByRole('heading', { name: 'Targets' }).waitFor();
  await page.goBack();
  await page.getByRole('heading', { name: 'Not found' }).waitFor();
}

export async function targets({ page, server }) {
  await visit(page, server.url + '/targets', 'targets');
  await page.getByRole('listitem', { name: 'Target demo mock' }).waitFor();
  // A bad member: the server's error shows under that field, and nothing is created.
  allow(/^POST .*\/api\/v1\/targets$/);
  await page.locator('#new-target-name').fill('lab mock');
  await page.locator('#new-target-type').selectOption('mock');
  await page.locator('#new-target-latency_ms').fill('-5');
  await page.getByRole('button', { name: 'Create target' }).click();
  const err = page.locator('#new-target-latency_ms-error');
  await err.waitFor();
  assert((await err.textContent()).includes('0 to 600000'), 'the latency error names the range');
  await screenshot(page, 'targets-error');
  assert((await page.getByRole('listitem', { name: 'Target lab mock' }).count()) === 0, 'nothing created');
  await page.locator('#new-target-latency_ms').fill('5');
  await page.locator('#new-target-behavior').fill('refuse');
  await page.getByRole('button', { name: 'Create target' }).click();
  const row = page.getByRole('listitem', { name: 'Target lab mock' });
  await row.waitFor();
  // Test connection: latency and the reply.
  await row.getByRole('button', { name: 'Test connection' }).click();
  await row.locator('.probe.ok').waitFor();
  assert(/Connected in \d+ ms/.test(await row.locator('.probe').textContent()), 'probe shows latency');
  // The demo target reaches the real mock-target process over HTTP.
  const demo = page.getByRole('listitem', { name: 'Target demo mock' });
  await demo.getByRole('button', { name: 'Test connection' }).click();
  await demo.locator('.probe.ok').waitFor();
  await screenshot(page, 'targets-probed');
  // Edit, then delete.
  await row.getByRole('button', { name: 'Edit' }).click();
  const editName = row.locator('input[id$="-name"]');
  await editName.fill('lab mock 2');
  await row.getByRole('button', { name: 'Save' }).click();
  const renamed = page.getByRole('listitem', { name: 'Target lab mock 2' });
  await renamed.waitFor();
  page.once('dialog', (d) => d.accept());
  await renamed.getByRole('button', { name: 'Delete' }).click();
  await until(async () => (await page.getByRole('listitem', { name: 'Target lab mock 2' }).count()) === 0, 'target deleted');
}

export async function datasets({ page, server }) {
  const prompts = illegalPrompts();
  await visit(page, server.url + '/datasets', 'datasets-empty');
  await page.getByText('No datasets yet').waitFor();
  await page.locator('#ds-name').fill('illegal');
  await page.locator('#ds-harm').fill('illegal');
  await page.locator('#ds-prompts').fill(prompts.join('\n'));
  await page.getByRole('button', { name: 'Create dataset' }).click();
  await page.getByRole('heading', { name: 'illegal' }).waitFor();
  await page.getByText(`version 1 · ${prompts.length} prompts`).waitFor();
  assert((await page.locator('.prompts li').count()) === prompts.length, 'every prompt listed');
  await screenshot(page, 'dataset');
  await checkAccessibility(page, 'dataset');
  // Search lives in the URL and survives a reload.
  const word = prompts[0].split(' ').find((w) => w.length > 5);
  await page.locator('#ds-search').fill(word);
  await until(async () => new URL(page.url()).searchParams.get('q') === word, 'search in the URL');
  await page.reload();
  assert((await page.locator('#ds-search').inputValue()) === word, 'search kept after reload');
  await until(async () => (await page.locator('.prompts li').count()) >= 1, 'the search finds the prompt');
  // The server searches the whole version, case folded: a word in no prompt finds none.
  await page.locator('#ds-search').fill(word.toUpperCase());
  await until(async () => (await page.locator('.prompts li').count()) >= 1, 'case-folded search');
  await page.locator('#ds-search').fill('zzqx-not-in-any-prompt');
  await page.getByText('No prompt of this version contains').waitFor();
  // A new version, and the older one still readable.
  await page.locator('#ds-new-version').fill('only prompt of version two');
  await page.getByRole('button', { name: 'Add version' }).click();
  await page.getByText('version 2 · 1 prompts').waitFor();
  await page.locator('#ds-search').fill('');
  await page.locator('#ds-version').selectOption('1');
  await page.getByText(`version 1 · ${prompts.length} prompts`).waitFor();
  // An empty dataset is refused with the field named.
  allow(/^POST .*\/api\/v1\/datasets$/);
  await page.goto(server.url + '/datasets');
  await page.locator('#ds-name').fill('empty');
  await page.getByRole('button', { name: 'Create dataset' }).click();
  await page.locator('#ds-prompts-error').waitFor();
}

export async function converters({ page, server }) {
  await visit(page, server.url + '/converters', 'converters');
  await page.locator('#preview-text').fill('hello');
  await page.locator('#chain-add').selectOption('base64');
  await until(async () => (await page.getByTestId('preview-output').textContent()) === 'aGVsbG8=', 'base64 preview');
  await page.locator('#chain-add').selectOption('caesar');
  allow(/^POST .*\/api\/v1\/converters\/preview$/);
  await page.locator('#chain-1-caesar_offset').fill('99');
  await page.locator('#chain-1-caesar_offset-error').waitFor();
  await screenshot(page, 'converters-error');
  await page.locator('#chain-1-caesar_offset').fill('1');
  await until(async () => (await page.getByTestId('preview-output').textContent()) === 'bHWtcH9=', 'base64 then caesar 1 (digits shift too)');
  await screenshot(page, 'converters-chain');
  // The chain lives in the URL: a reload rebuilds it.
  await page.reload();
  await until(async () => (await page.locator('.chain-step').count()) === 2, 'chain kept after reload');
  await checkAccessibility(page, 'converters-chain');
}

export async function scorers({ page, server }) {
  await visit(page, server.url + '/scorers', 'scorers');
  await page.locator('#scorer-type').selectOption('refusal');
  await page.locator('#scorer-text').fill("I'm sorry, but I can't help with that.");
  await page.getByRole('button', { name: 'Test', exact: true }).click();
  const result = page.getByTestId('score-result');
  await result.waitFor();
  assert((await result.locator('.value').textContent()) === 'true', 'refusal detected');
  allow(/^POST .*\/api\/v1\/scorers\/test$/);
  await page.locator('#scorer-type').selectOption('substring');
  await page.getByRole('button', { name: 'Test', exact: true }).click();
  await page.locator('#scorer-substring-error').waitFor();  // required parameter named
  await page.locator('#scorer-substring').fill('sorry');
  await page.getByRole('button', { name: 'Test', exact: true }).click();
  await until(async () => (await page.getByTestId('score-result').count()) === 1, 'scored');
  await page.locator('#scorer-name').fill('says sorry');
  await page.getByRole('button', { name: 'Save scorer' }).click();
  await page.getByRole('listitem', { name: 'Scorer says sorry' }).waitFor();
  await screenshot(page, 'scorers-saved');
  await checkAccessibility(page, 'scorers-saved');
}

export async function settings({ page, server }) {
  await visit(page, server.url + '/settings', 'settings-local');
  assert((await page.getByTestId('me-username').textContent()) === 'local', 'local user');
  assert((await page.getByTestId('store-url').textContent()).startsWith('sqlite:///'), 'store URL for the admin');
  await page.locator('#key-name').fill('ci');
  await page.getByRole('button', { name: 'Create key' }).click();
  const secret = await page.getByTestId('api-key-secret').textContent();
  assert(secret.startsWith('rc_'), 'secret shown once');
  // The key works for automation.
  const r = await apiCall(server.url, 'GET', '/api/v1/me', undefined, { 'X-API-Key': secret });
  assert(r.status === 200, 'the new key signs in');
  await page.getByRole('button', { name: 'Done' }).click();
  assert((await page.getByTestId('api-key-secret').count()) === 0, 'secret gone');
  await page.getByRole('button', { name: 'Revoke ci' }).click();
  await until(async () => (await page.getByRole('button', { name: 'Revoke ci' }).count()) === 0, 'revoked');
  await screenshot(page, 'settings-keys');
}
