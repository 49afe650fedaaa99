import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const loader = new URL('./', import.meta.url);
const app = fileURLToPath(new URL('../app/', import.meta.url));

/**
 * dependency-cruiser (`npm run lint`, rule loader-not-to-app) sees imports but not Vite's
 * `import.meta.glob`, which is how the loader once took its strings from the app's catalogue.
 */
describe('the loader', () => {
  it('globs nothing from the chat app', () => {
    const globs = readdirSync(loader)
      .filter((name) => /\.tsx?$/.test(name) && !name.endsWith('.test.ts'))
      .flatMap((name) => {
        const source = readFileSync(new URL(name, loader), 'utf8');
        return [...source.matchAll(/import\.meta\.glob(?:<[^>]*>)?\(\s*['"`]([^'"`]+)['"`]/g)].map((m) =>
          fileURLToPath(new URL(m[1]!, new URL(name, loader))),
        );
      });
    expect(globs.length).toBeGreaterThan(0);
    expect(globs.filter((path) => path.startsWith(app))).toEqual([]);
  });
});
