#!/usr/bin/env node
// The web UI on a large execution: an execution of 100,000 results against a baseline of
// 100, both made in the same run by a real `redcell serve` (in-process mock target), then
// opened in Debian's Chromium. Per execution, medians over --runs loads: time from
// navigation to the first result on screen, to a filtered page, to the next page; the
// page's DOM nodes and JS heap after them. Also the initial JavaScript, gzipped.
//
// Usage: node bench/ui_results.mjs BUILD_DIR [--runs 5] [--items 100000]
// Loopback only; every wait is bounded.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const require = createRequire(new URL('../web/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const args = process.argv.slice(2);
const build = args[0] ?? 'build-bench';
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const RUNS = opt('--runs', 5);
const ITEMS = opt('--items', 100_000);

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function startServe(home) {
  const proc = spawn(path.join(build, 'redcell'), ['serve', '--listen', '127.0.0.1:0', '--access-log', 'false',
    '--max-work-items', String(ITEMS * 2), '--body-limit', String(64 << 20)], {
    env: { ...process.env, REDCELL_HOME: home }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let text = '';
  const url = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('serve did not start')), 30_000);
    proc.stderr.setEncoding('utf8').on('data', (d) => {
      text += d;
      const m = text.match(/"event":"listening","url":"([^"]+)"/);
      if (m) { clearTimeout(t); resolve(m[1]); }
    });
  });
  return { proc, url };
}

async function call(base, method, url, body) {
  const r = await fetch(base + url, { method, headers: { 'Content-Type': 'application/json' }, body: body && JSON.stringify(body) });
  const j = await r.json();
  if (!r.ok) throw new Error(`${method} ${url}: ${JSON.stringify(j)}`);
  return j;
}

// An execution of prompts × attempts results against the in-process mock, run to the end.
async function execution(base, target, prompts, attempts) {
  const list = Array.from({ length: prompts }, (_, i) => `Case ${i}: explain how the safety check number ${i % 977} could be skipped.`);
  const d = await call(base, 'POST', '/api/v1/datasets', { name: `bench ${prompts}x${attempts}`, prompts: list });
  const o = await call(base, 'POST', '/api/v1/orchestrators', {
    name: `bench ${prompts}x${attempts}`, type: 'prompt_sending', target_id: target, dataset_id: d.id, attempts,
    scorers: [{ type: 'inverter', params: { scorer: { type: 'refusal' } } }], max_in_flight: 256,
  });
  const t0 = Date.now();
  const e = await call(base, 'POST', `/api/v1/orchestrators/${o.id}/executions`, {});
  for (;;) {
    const s = await call(base, 'GET', `/api/v1/executions/${e.id}`);
    if (s.status !== 'queued' && s.status !== 'running') {
      if (s.status !== 'succeeded' || s.counts.sent !== prompts * attempts) throw new Error(JSON.stringify(s));
      return { id: e.id, seconds: (Date.now() - t0) / 1000 };
    }
    if (Date.now() - t0 > 900_000) throw new Error('the execution took over 15 minutes');
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function measure(page, base, id) {
  const t0 = performance.now();
  await page.goto(`${base}/executions/${id}`);
  await page.locator('.result').first().waitFor({ timeout: 60_000 });
  const first = performance.now() - t0;
  const t1 = performance.now();
  const answered = page.waitForResponse((r) => r.url().includes('/results') && r.url().includes('achieved=false'));
  await page.locator('#f-achieved').selectOption('false');
  await answered;
  await page.locator('.result').first().waitFor();
  const filtered = performance.now() - t1;
  await page.locator('#f-achieved').selectOption('');
  await page.getByRole('button', { name: 'Next page' }).waitFor();
  const t2 = performance.now();
  const paged = page.waitForResponse((r) => r.url().includes('/results') && r.url().includes('cursor='));
  await page.getByRole('button', { name: 'Next page' }).click();
  await paged;
  await page.getByRole('button', { name: 'First page' }).waitFor();
  const next = performance.now() - t2;
  const { nodes, heap } = await page.evaluate(() => ({
    nodes: document.getElementsByTagName('*').length,
    // eslint-disable-next-line no-undef
    heap: performance.memory ? performance.memory.usedJSHeapSize : 0,
  }));
  return { first, filtered, next, nodes, heap };
}

function bundleGzip() {
  const dist = path.join(build, 'web-dist', 'assets');
  return readdirSync(dist).filter((f) => f.endsWith('.js'))
    .reduce((n, f) => n + gzipSync(readFileSync(path.join(dist, f)), { level: 9 }).length, 0);
}

async function main() {
  const home = mkdtempSync(path.join(tmpdir(), 'redcell-bench-ui-'));
  const serve = await startServe(home);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--enable-precise-memory-info'],
  });
  try {
    const target = (await call(serve.url, 'POST', '/api/v1/targets', { name: 'mock', type: 'mock', behavior: 'decode' })).id;
    const small = await execution(serve.url, target, 100, 1);
    const large = await execution(serve.url, target, ITEMS / 100, 100);
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    const rows = {};
    for (const [name, ex] of [['baseline: 100 results', small], [`${ITEMS.toLocaleString('en')} results`, large]]) {
      await measure(page, serve.url, ex.id);  // warm-up (bundle cached, store pages warm)
      const runs = [];
      for (let i = 0; i < RUNS; i++) runs.push(await measure(page, serve.url, ex.id));
      rows[name] = { ex, runs };
    }
    const [base, big] = Object.values(rows);
    const med = (r, k) => median(r.runs.map((x) => x[k]));
    console.log(`| execution | first result ms | filtered ms | next page ms | DOM nodes | JS heap MiB | made in s |`);
    console.log(`|---|---|---|---|---|---|---|`);
    for (const [name, r] of Object.entries(rows))
      console.log(`| ${name} | ${med(r, 'first').toFixed(0)} | ${med(r, 'filtered').toFixed(0)} | ${med(r, 'next').toFixed(0)} | ${med(r, 'nodes')} | ${(med(r, 'heap') / 1048576).toFixed(1)} | ${r.ex.seconds.toFixed(1)} |`);
    console.log('');
    console.log(`Ratios large / baseline: first result ${(med(big, 'first') / med(base, 'first')).toFixed(2)}, ` +
      `filtered ${(med(big, 'filtered') / med(base, 'filtered')).toFixed(2)}, next page ${(med(big, 'next') / med(base, 'next')).toFixed(2)}`);
    console.log(`Initial JavaScript: ${(bundleGzip() / 1024).toFixed(1)} KB gzipped (budget 250 KB)`);
    console.log(`Runs (first result ms, large): ${big.runs.map((x) => x.first.toFixed(0)).join(', ')}`);
  } finally {
    await browser.close();
    serve.proc.kill('SIGTERM');
    await new Promise((r) => serve.proc.on('exit', r));
    rmSync(home, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
