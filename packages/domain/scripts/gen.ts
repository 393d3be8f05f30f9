/** Writes the generated contract files (JSON Schema, AsyncAPI) from the zod event schemas. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedContractFiles } from '../src/events/contract.js';

const dir = fileURLToPath(new URL('../generated/', import.meta.url));
mkdirSync(dir, { recursive: true });
for (const [name, content] of Object.entries(generatedContractFiles())) {
  writeFileSync(join(dir, name), content);
  console.log(`wrote ${join('packages/domain/generated', name)}`);
}
