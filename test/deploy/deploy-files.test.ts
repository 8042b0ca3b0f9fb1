// The deployment examples in deploy/ set only variables Clipscope knows, each with a value its config schema accepts
// (no Docker engine or systemd runs here, so the files are read, not run). The compose file is read for its services'
// `environment:` blocks only, the one part of it this test checks.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema, loadConfig } from '../../src/config';

const DEPLOY = path.resolve(import.meta.dirname, '../../deploy');
const KNOWN = new Set(Object.keys(configSchema.shape));

/** `Environment=KEY=VALUE` (or `Environment="KEY=VALUE"`) lines of a systemd unit, in order. */
function unitEnvironment(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^Environment=(.*)$/.exec(line.trim());
    if (!match) continue;
    const assignment = match[1]!.replace(/^"(.*)"$/, '$1');
    const eq = assignment.indexOf('=');
    env[assignment.slice(0, eq)] = assignment.slice(eq + 1);
  }
  return env;
}

/** Each service's `environment:` mapping in a compose file (block style, `KEY: value` with optional quotes). */
function composeEnvironments(text: string): Record<string, Record<string, string>> {
  const services: Record<string, Record<string, string>> = {};
  let section = '';
  let service = '';
  let inEnvironment = false;
  for (const raw of text.split('\n')) {
    if (raw.trim() === '' || raw.trim().startsWith('#')) continue;
    const indent = raw.length - raw.trimStart().length;
    const line = raw.trim();
    if (indent === 0) {
      section = line.replace(/:$/, '');
      inEnvironment = false;
    } else if (section === 'services' && indent === 2) {
      service = line.replace(/:$/, '');
      services[service] = {};
      inEnvironment = false;
    } else if (section === 'services' && indent === 4) {
      inEnvironment = line === 'environment:';
    } else if (inEnvironment && indent === 6) {
      const match = /^([A-Z_][A-Z0-9_]*):\s*(.*)$/.exec(line);
      expect(match, `a KEY: value line in ${service}'s environment: ${line}`).not.toBeNull();
      services[service]![match![1]!] = match![2]!.replace(/^"(.*)"$/, '$1');
    }
  }
  return services;
}

function expectValid(env: Record<string, string>, where: string): void {
  for (const key of Object.keys(env)) expect(KNOWN.has(key), `${where} sets ${key}, which Clipscope does not read`).toBe(true);
  expect(() => loadConfig(env), where).not.toThrow();
}

describe('deployment examples', () => {
  it('the systemd unit sets only known variables, each with a valid value', () => {
    const env = unitEnvironment(fs.readFileSync(path.join(DEPLOY, 'clipscope@.service'), 'utf8'));
    expect(Object.keys(env).length).toBeGreaterThan(3);
    expectValid(env, 'clipscope@.service');
    expect(loadConfig(env).ROLES).toEqual(['bot', 'http', 'jobs']);
  });

  it('the compose file runs bot, jobs and http containers over PostgreSQL, each with known variables and valid values', () => {
    const services = composeEnvironments(fs.readFileSync(path.join(DEPLOY, 'docker-compose.yml'), 'utf8'));
    const clipscope = Object.entries(services).filter(([name]) => name !== 'postgres');
    expect(clipscope.map(([name]) => name).sort()).toEqual(['bot', 'http', 'jobs']);
    for (const [name, env] of clipscope) {
      expectValid(env, `docker-compose.yml service ${name}`);
      const config = loadConfig(env);
      expect(config.ROLES, name).toEqual([name]);
      expect(config.DATABASE_URL, name).toMatch(/^postgres:\/\/.*@postgres:5432\//);
    }
  });

  it('refuses a file that sets a variable Clipscope does not know (the check can fail)', () => {
    const services = composeEnvironments('services:\n  http:\n    environment:\n      HTTP_PORTT: "3000"\n');
    expect(Object.keys(services.http!).every((key) => KNOWN.has(key))).toBe(false);
    expect(() => loadConfig(unitEnvironment('Environment=ROLES=bot,worker'))).toThrow(/ROLES/);
  });
});
