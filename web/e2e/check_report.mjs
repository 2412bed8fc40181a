// Opens a report's HTML file in Debian's Chromium with every network request blocked and
// prints what a reader sees: the summary figures, the charts' bars, how many conversations
// a search leaves, and any console error or blocked request. Usage: node e2e/check_report.mjs FILE
import { pathToFileURL } from 'node:url';
import { launch } from './harness.mjs';

const file = process.argv[2];
const browser = await launch();
try {
  const context = await browser.newContext();
  const problems = [];
  await context.route('**/*', (route) => {
    if (route.request().url().startsWith('file:')) return route.continue();
    problems.push(`network request: ${route.request().url()}`);
    return route.abort();
  });
  const page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.goto(pathToFileURL(file).href);
  const figures = {};
  for (const id of ['attempts', 'achieved', 'undetermined', 'errors', 'success-rate', 'risk'])
    figures[id] = await page.locator(`#fig-${id}`).textContent();
  const bars = { harm: await page.locator('#chart-harm rect.bar').count(), chain: await page.locator('#chart-chain rect.bar').count() };
  const articles = await page.locator('article.attempt').count();
  await page.locator('#search').fill('achieved');
  const searched = Number(await page.locator('#shown').textContent());
  await page.locator('#search').fill('zzqx-no-such-text');
  const none = Number(await page.locator('#shown').textContent());
  console.log(JSON.stringify({ figures, bars, articles, searched, none, problems }));
} finally {
  await browser.close();
}
