// The browser tests: every page against the real `redcell serve` and `redcell mock-target`
// in Debian's Chromium, the newcomer's whole path, and a second user who sees none of it.
// Fails on any console error, failed request or serious axe-core violation; screenshots go
// to $REDCELL_SCREENSHOTS (build-asan/e2e-screenshots). Usage: node e2e/run.mjs [spec...]
import { imports } from './imports.mjs';
import { oidc } from './oidc.mjs';
import { converters, datasets, scorers, settings, shell, targets } from './pages.mjs';
import { crescendo, executions, lifecycle, newcomer, pause, playground, thread, treeOfAttacks } from './runs.mjs';
import { allowed, launch, screenshot, startServer, watchedContext } from './harness.mjs';

// In this order, against one server: later specs read what earlier ones stored.
const specs = {
  shell,
  targets,
  datasets,
  imports,
  converters,
  scorers,
  newcomer,
  executions,
  lifecycle,
  pause,
  thread,
  crescendo,
  treeOfAttacks,
  playground,
  settings,
};

async function main() {
  const only = process.argv.slice(2);
  const browser = await launch();
  const server = await startServer();
  const { context, problems } = await watchedContext(browser);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  let failed = 0;
  const run = async (name, fn) => {
    if (only.length && !only.includes(name)) return;
    const t0 = Date.now();
    const seen = problems.length;
    allowed.length = 0;
    try {
      await fn();
      const fresh = problems.slice(seen);
      if (fresh.length) throw new Error(fresh.join('\n'));
      console.log(`ok ${name} (${Date.now() - t0} ms)`);
    } catch (e) {
      failed++;
      console.log(`not ok ${name}: ${e.stack ?? e}`);
      await screenshot(page, `FAILED-${name}`).catch(() => {});
    }
  };
  try {
    for (const [name, fn] of Object.entries(specs)) await run(name, () => fn({ page, server }));
    await run('oidc', () => oidc(browser));
  } finally {
    await browser.close();
    await server.stop();
  }
  console.log(failed ? `${failed} failed` : 'all passed');
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
