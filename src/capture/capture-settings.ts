// The settings each captured event is checked against (capture channels, bots), read in the event's own tick.
export { readCaptureSettingsNow } from '../db/stores/capture/settings';
