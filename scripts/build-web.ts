import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `npm run build:web`: type-checks the web app against the shared contracts and builds it into
 * web/dist (served by ingress). With `--if-needed` (run before `npm start`) it builds only when
 * web/dist is missing or older than a source file.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const web = path.join(root, 'web');
const built = path.join(web, 'dist/index.html');

function newest(dir: string): number {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules') continue;
    const p = path.join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

export function webBuildNeeded(): boolean {
  if (!existsSync(built)) return true;
  const sources = Math.max(newest(web), statSync(path.join(root, 'shared/contracts/socket.ts')).mtimeMs);
  return sources > statSync(built).mtimeMs;
}

export function buildWeb(): void {
  const bin = (name: string) => path.join(root, 'node_modules/.bin', name);
  execFileSync(bin('tsc'), ['-p', 'web/tsconfig.json', '--noEmit'], { cwd: root, stdio: 'inherit' });
  execFileSync(bin('vite'), ['build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  if (process.argv.includes('--if-needed') && !webBuildNeeded()) {
    console.log('web/dist is up to date');
  } else {
    buildWeb();
  }
}
