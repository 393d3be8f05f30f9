import { inject } from 'vitest';

// A vitest setup file: runs in each test worker before its spec file. Containers started by `global-setup.ts`
// become the same variables the running services would have set, so everything downstream (env.ts, child
// processes given process.env) finds them the one way it knows.
for (const [name, value] of Object.entries(inject('onestopServices'))) {
  if (!process.env[name]) process.env[name] = value;
}
