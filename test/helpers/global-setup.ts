import { execFileSync } from 'node:child_process';

/** Pages need the built web assets; build once per test run. */
export default function setup() {
  execFileSync(process.execPath, ['--import', 'tsx', 'web/build.ts'], { stdio: 'inherit' });
}
