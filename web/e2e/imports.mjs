// The dataset import screen: a PyRIT file chosen and previewed, then imported; a CSV whose
// prompt column must be named (the error under that field), then dropped onto the page; a
// malformed file refused naming its line with nothing stored; the export links; a starter
// dataset added in one click.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { allow, apiCall, assert, checkAccessibility, datasetsDir, screenshot, until } from './harness.mjs';

export async function imports({ page, server }) {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'redcell-import-'));
  const dir = datasetsDir();
  const pyrit = dir && path.join(dir, 'seed_datasets/airt/illegal.prompt');
  const yamlFile = pyrit && existsSync(pyrit) ? pyrit : path.join(tmp, 'own.prompt');
  if (yamlFile !== pyrit)
    writeFileSync(yamlFile, 'dataset_name: own probes\nharm_categories: [test]\nseeds:\n  - value: first probe of ours\n  - value: second probe of ours\n');
  const datasetsBefore = (await apiCall(server.url, "GET", "/api/v1/datasets?limit=500")).json.items.length;

  await page.goto(server.url + '/datasets');
  await page.locator('#ds-file').setInputFiles(yamlFile);
  const preview = page.getByRole('region', { name: 'Import preview' });
  await preview.waitFor();
  assert((await preview.textContent()).includes('read as pyrit_yaml'), 'the format is detected');
  const rows = await preview.locator('tbody tr').count();
  assert(rows >= 2, 'the first prompts are shown');
  await screenshot(page, 'dataset-import-preview');
  await checkAccessibility(page, 'dataset-import-preview');
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await page.getByText(/version 1 · \d+ prompts/).waitFor();
  const url = new URL(page.url());
  assert(url.pathname.startsWith('/datasets/'), 'the imported dataset opens');
  // Both export links download this version.
  const jsonl = await page.getByRole('link', { name: 'JSON Lines' }).getAttribute('href');
  const exported = await page.evaluate(async (href) => (await fetch(href)).text(), jsonl);
  assert(exported.trim().split('\n').length >= rows, 'the export has every prompt');
  await page.getByRole('link', { name: 'PyRIT YAML' }).waitFor();

  // A CSV without a usual prompt column: the error names the field to fill.
  allow(/^POST .*\/api\/v1\/datasets\/import\?/);
  const csv = path.join(tmp, 'attacks.csv');
  writeFileSync(csv, 'id,attack,harm\n1,first attack from csv,violence; illegal\n2,"second, quoted",\n');
  await page.goto(server.url + '/datasets');
  await page.locator('#ds-file').setInputFiles(csv);
  const valueError = page.locator('#ds-value-field-error');
  await valueError.waitFor();
  assert((await valueError.textContent()).includes('id, attack, harm'), 'the error lists the columns');
  await screenshot(page, 'dataset-import-mapping');
  await page.locator('#ds-value-field').fill('attack');
  await page.locator('#ds-harm-field').fill('harm');
  await page.getByRole('button', { name: 'Preview' }).click();
  await preview.waitFor();
  assert((await preview.textContent()).includes('violence, illegal'), 'harm categories split');
  await page.locator('#ds-import-name').fill('csv attacks');
  await page.getByRole('button', { name: 'Preview' }).click();
  await preview.waitFor();
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await page.getByRole('heading', { name: 'csv attacks' }).waitFor();
  await page.getByText('version 1 · 2 prompts').waitFor();

  // Dropped onto the page: a malformed YAML file, refused with its line, nothing stored.
  await page.goto(server.url + '/datasets');
  await page.getByTestId('dropzone').evaluate((zone) => {
    const dt = new DataTransfer();
    dt.items.add(new File(['seeds:\n  - value: fine\n  - value: [not, text]\n'], 'broken.yaml'));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  const fileError = page.locator('#ds-file-error');
  await fileError.waitFor();
  assert((await fileError.textContent()).includes('line 3'), 'the line is named');
  await screenshot(page, 'dataset-import-error');
  assert(await page.getByRole('button', { name: 'Import', exact: true }).isDisabled(), 'nothing to import');
  await until(async () => (await apiCall(server.url, "GET", "/api/v1/datasets?limit=500")).json.items.length === datasetsBefore + 2,
    'exactly the two good files were stored');

  // A starter dataset, shipped in the server, in one click.
  await page.goto(server.url + '/datasets');
  await page.getByRole('button', { name: 'Add redcell starter - encoding probes' }).click();
  await page.getByRole('heading', { name: 'redcell starter - encoding probes' }).waitFor();
  await page.getByText(/version 1 · \d+ prompts/).waitFor();
}
