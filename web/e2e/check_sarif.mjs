// Validates a SARIF file against the SARIF 2.1.0 JSON schema that npm's @microsoft/jest-sarif
// ships (draft-04, so ajv-draft-04). Prints {"valid", "errors", "results"}; exit 0 if valid.
// Usage: node e2e/check_sarif.mjs FILE
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import Ajv from 'ajv-draft-04';

const require = createRequire(import.meta.url);
const schema = JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
const doc = JSON.parse(readFileSync(process.argv[2], 'utf8'));
// The schema's language pattern is not a valid Unicode-mode RegExp; URI formats are not checked.
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false, logger: false });
const validate = ajv.compile(schema);
const valid = validate(doc);
const results = (doc.runs ?? []).reduce((n, run) => n + (run.results ?? []).length, 0);
console.log(JSON.stringify({ valid, errors: validate.errors ?? [], results }));
process.exit(valid ? 0 : 1);
