import { describe, expect, it } from 'vitest';
import { InvalidPeriodError } from '../src/analytics/periods';
import { CliError } from '../src/cli/command';
import { UserError } from '../src/discord/user-error';
import { ClipscopeError, isUserFacing, wasReported } from '../src/errors';
import { HttpError } from '../src/http/errors';
import { TwitchApiError } from '../src/twitch/errors';

describe('the error family', () => {
  it('says from its fields, not its class name, whether a message may be shown to the requester', () => {
    expect(isUserFacing(new UserError('Pick a channel first.'))).toBe(true);
    expect(isUserFacing(new InvalidPeriodError('unknown timezone "Mars/Base"'))).toBe(true);
    expect(isUserFacing(new HttpError(400, 'invalid_parameter', 'limit: expected 1-100'))).toBe(true);
    expect(isUserFacing(new TwitchApiError('server', 'Helix answered 503'))).toBe(false);
    expect(isUserFacing(new ClipscopeError('internal', 'a bug'))).toBe(false);
    const impostor = new Error('looks like one');
    impostor.name = 'UserError';
    expect(isUserFacing(impostor)).toBe(false);
  });

  it('carries a stable code, the operator detail and the class name', () => {
    const error = new HttpError(429, 'rate_limited', 'Slow down.', { retryAfter: 3 });
    expect(error.code).toBe('rate_limited');
    expect(error.detail).toEqual({ retryAfter: 3 });
    expect(error.name).toBe('HttpError');
    expect(new CliError('no such file', 2).exitCode).toBe(2);
    expect(new TwitchApiError('auth', 'refused').code).toBe('twitch_auth');
  });

  it('remembers that the operator was told, so catchers log it once', () => {
    const error = new TwitchApiError('auth', 'refused');
    expect(wasReported(error)).toBe(false);
    error.reported = true;
    expect(wasReported(error)).toBe(true);
    expect(wasReported({ reported: true })).toBe(false);
  });
});
