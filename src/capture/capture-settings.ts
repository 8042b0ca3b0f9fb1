// The settings each captured event is checked against (capture channels, bots), read in the event's own tick.
export { readCaptureSettingsChanged, readCaptureSettingsNow, type CaptureSettingsRow } from '../db/stores/capture/settings';
