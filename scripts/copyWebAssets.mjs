// Copies the console's static files (index.html, console.css) next to the compiled modules in
// dist/console/web/, which tsc cannot do. Plain Node, no dependencies, any OS.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const from = join(root, 'console', 'web');
const to = join(root, 'dist', 'console', 'web');
mkdirSync(to, { recursive: true });
for (const name of ['index.html', 'console.css']) copyFileSync(join(from, name), join(to, name));
