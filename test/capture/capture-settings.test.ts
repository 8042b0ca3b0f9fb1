// The capture settings each event is checked against: on SQLite read in the event's own tick; on PostgreSQL kept in
// memory and re-read from the rows changed since, so a change made elsewhere (a command, another process) applies
// within the refresh interval.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCaptureService, type CaptureService } from '../../src/capture/service';
import { systemClock } from '../../src/clock';
import { updateGuildSettings } from '../../src/db/guild-settings';
import { createLogger } from '../../src/logger';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';

describe.each(testEngines())('capture settings on %s', (engine) => {
  let t: TestDatabase;
  let capture: CaptureService;

  beforeAll(async () => {
    t = await openTestDatabase(engine, 'capture-settings');
    await updateGuildSettings(t.db, 'g-known', { captureChannelIds: ['c1', 'c2'], includeBots: true }, Date.now());
    const logger = createLogger({ level: 'warn', destination: { write: () => undefined } });
    capture = createCaptureService(t.db, { logger, clock: systemClock, batchMax: 10, settingsRefreshMs: 50 });
    await capture.ready;
  });
  afterAll(async () => {
    await capture?.stop();
    await t?.close();
  });

  it('answers at once with the stored settings, and the defaults for a guild without any', () => {
    expect(capture.settingsNow('g-known')).toEqual({ captureChannelIds: ['c1', 'c2'], includeBots: true });
    expect(capture.settingsNow('g-unknown')).toEqual({ captureChannelIds: [], includeBots: false });
  });

  it('sees a change another process makes, within the refresh interval', async () => {
    const other = await t.openAnother();
    try {
      await updateGuildSettings(other.db, 'g-known', { captureChannelIds: ['c3'], includeBots: false }, Date.now());
      await updateGuildSettings(other.db, 'g-new', { includeBots: true }, Date.now());
    } finally {
      await other.close();
    }
    await vi.waitFor(() => {
      expect(capture.settingsNow('g-known')).toEqual({ captureChannelIds: ['c3'], includeBots: false });
      expect(capture.settingsNow('g-new')).toEqual({ captureChannelIds: [], includeBots: true });
    });
  });
});
