// What an app-level test starts (a temporary directory, a fake Helix that Twurple reaches through
// TWURPLE_MOCK_API_PORT, the app itself), undone after each test: the app stopped, the fake stopped, the
// environment restored, the directory removed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import type { App } from '../../src/app';
import { FakeHelix, useFakeHelixPort } from '../fakes/helix';

export interface AppResources {
  /** A fresh temporary directory, removed after the test. */
  tempDir(prefix: string): string;
  /** A started fake Helix with Twurple pointed at it, stopped (and the environment restored) after the test. */
  fakeHelix(): Promise<{ helix: FakeHelix; port: number }>;
  /** The test's app, stopped after the test; returns it. */
  keep(app: App): App;
}

/** Registers the afterEach that undoes what the test started through the returned functions. */
export function appResources(): AppResources {
  let app: App | undefined;
  let helix: FakeHelix | undefined;
  let restoreEnv: (() => void) | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await app?.stop();
    await helix?.stop();
    restoreEnv?.();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    app = helix = restoreEnv = dir = undefined;
  });
  return {
    tempDir(prefix) {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
      return dir;
    },
    async fakeHelix() {
      helix = new FakeHelix();
      const port = await helix.start();
      restoreEnv = useFakeHelixPort(port);
      return { helix, port };
    },
    keep(created) {
      app = created;
      return created;
    },
  };
}
